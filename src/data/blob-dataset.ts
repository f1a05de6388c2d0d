// The browser's counterpart of simdnn/node's ImageFolderDataset: labelled
// images given as Files, Blobs or URLs, decoded by the browser
// (createImageBitmap + OffscreenCanvas) in dedicated workers.
import { check, SimdnnError } from '../errors.js';
import type { Sample } from './dataset.js';
import { PreparedImageDataset } from './prepared-dataset.js';
import { checkKeys, type Image } from './image.js';
import { canDecodeInBrowser, decodeRequest, sourceName, toImage, type DecodeImageOptions, type DecodeRequest, type ImageSource, type ResizeQuality } from './blob-decode.js';
import { BlobDecoderPool } from './blob-decoder-pool.js';

/** One labelled image: a File (an `<input type=file>`'s), a Blob, or a URL. */
export interface ImageBlobItem {
  source: ImageSource;
  label: number;
  /** Its name in error messages (default: the File's name or the URL). */
  name?: string;
}

export interface ImageBlobDatasetOptions {
  /** 3 (RGB, default) or 1 (gray). */
  channels?: 1 | 3;
  /** As decodeImageBlob's: a number is the shorter side (torchvision's Resize(int)), [height, width] an exact size decoded at once. */
  resize?: number | [number, number];
  resizeQuality?: ResizeQuality;
  /** Class names by label. */
  classes?: readonly string[];
  /** Decoding workers (default 1); 0 decodes on the calling thread. Without Worker or OffscreenCanvas: the calling thread. */
  workers?: number;
  /** A file that cannot be decoded is reported once (console.warn) and replaced by the next readable image, instead of failing the batch. */
  skipBadImages?: boolean;
}

/**
 * Labelled images decoded by the browser: `createImageBitmap` (with
 * resizeWidth/resizeHeight for `resize`) and an OffscreenCanvas's
 * getImageData, in `workers` dedicated Web Workers, giving the CHW float
 * images in [0, 1] that Node's ImageFolderDataset gives, so the same
 * transforms and DataLoader follow.
 *
 * Browsers only decode asynchronously while `Dataset.get` is synchronous. As
 * for ImageFolderDataset with sharp, the two meet in `prepare(indices)`: it
 * decodes those images and `get` takes them from there. Iterate with
 * `for await (const batch of loader)` or `await loader.batchAsync(epoch, b)`
 * (both call `prepare` for the batch); a `get` of an image not prepared is an
 * error saying so. Call `close()` when done (it stops the workers).
 */
export class ImageBlobDataset extends PreparedImageDataset {
  readonly items: readonly ImageBlobItem[];
  readonly labels: Int32Array;
  readonly classes?: readonly string[];
  private readonly channels: 1 | 3;
  private readonly request: (i: number) => DecodeRequest;
  private readonly pool: BlobDecoderPool;

  constructor(items: ArrayLike<ImageBlobItem>, opts: ImageBlobDatasetOptions = {}) {
    super(!!opts?.skipBadImages, 'skipBadImages');
    const op = 'ImageBlobDataset';
    checkKeys(opts, ['channels', 'resize', 'resizeQuality', 'classes', 'workers', 'skipBadImages'], op);
    check(items !== null && typeof items === 'object' && Number.isInteger(items.length) && items.length > 0, op, 'items must be a non-empty array of { source, label }');
    this.items = Array.from(items);
    const decodeOpts: DecodeImageOptions = { channels: opts.channels, resize: opts.resize, resizeQuality: opts.resizeQuality };
    const requests = this.items.map((it, i) => {
      check(it !== null && typeof it === 'object', op, `item ${i} must be { source, label }`);
      check(Number.isInteger(it.label) && it.label >= 0, op, () => `item ${i} (${sourceName(it.source, it.name)}) has label ${String(it.label)}, expected a non-negative integer`);
      if (opts.classes) check(it.label < opts.classes.length, op, () => `item ${i} has label ${it.label}, out of range for ${opts.classes!.length} classes`);
      return decodeRequest(it.source, decodeOpts, op);
    });
    this.request = (i) => requests[i];
    this.labels = Int32Array.from(this.items, (it) => it.label);
    this.classes = opts.classes;
    this.channels = opts.channels ?? 3;
    const workers = opts.workers ?? 1;
    check(Number.isInteger(workers) && workers >= 0, op, `workers must be a non-negative integer, got ${String(opts.workers)}`);
    check(canDecodeInBrowser(), op, 'needs createImageBitmap and OffscreenCanvas (a browser or a browser worker); in Node use ImageFolderDataset from simdnn/node');
    this.pool = new BlobDecoderPool(workers);
  }

  /**
   * torchvision's ImageFolder over a folder chosen with `<input type="file"
   * webkitdirectory>` (or dropped): `root/<class>/<image>.png|jpg|jpeg`, classes
   * the sub-folder names sorted, files sorted within each; other files are
   * ignored, as ImageFolderDataset does in Node.
   */
  static fromFolderFiles(files: ArrayLike<File>, opts: Omit<ImageBlobDatasetOptions, 'classes'> = {}): ImageBlobDataset {
    const op = 'ImageBlobDataset.fromFolderFiles';
    check(files !== null && typeof files === 'object' && Number.isInteger(files.length), op, 'files must be a FileList or an array of Files');
    const byClass = new Map<string, File[]>();
    for (const f of Array.from(files)) {
      const parts = (f.webkitRelativePath || '').split('/');
      if (parts.length < 3) {
        throw new SimdnnError(op, `${f.webkitRelativePath || f.name}: not in a class folder (expected root/<class>/<image>; choose the root folder with <input type="file" webkitdirectory>)`);
      }
      if (!/\.(png|jpe?g)$/i.test(f.name)) continue;
      const cls = parts[parts.length - 2];
      byClass.set(cls, [...(byClass.get(cls) ?? []), f]);
    }
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const classes = [...byClass.keys()].sort(byName);
    if (classes.length === 0) throw new SimdnnError(op, 'no .png/.jpg/.jpeg files in class folders (expected root/<class>/<image>)');
    const items = classes.flatMap((cls, label) => byClass.get(cls)!
      .sort((a, b) => byName(a.webkitRelativePath, b.webkitRelativePath))
      .map((f) => ({ source: f as Blob, label, name: f.webkitRelativePath })));
    return new ImageBlobDataset(items, { ...opts, classes });
  }

  get length(): number {
    return this.items.length;
  }

  /** Where decoding runs: the number of decoding workers (0: the calling thread). */
  get workers(): number {
    return this.pool.workers;
  }

  private name(i: number): string {
    return sourceName(this.items[i].source, this.items[i].name);
  }

  private async decode(i: number): Promise<Image> {
    return toImage(await this.pool.decode(this.request(i)), this.name(i), this.channels);
  }

  /** `prepare` decodes in the workers (all of a batch at once, spread over them). */
  protected asyncDecoder(): (i: number) => Promise<Image> {
    return (i) => this.decode(i);
  }

  /** Only a file's own decoding error is skipped (a closed dataset's is not). */
  protected skippable(e: unknown): boolean {
    return e instanceof SimdnnError;
  }

  protected noneReadable(): SimdnnError {
    return new SimdnnError('ImageBlobDataset', `none of the ${this.length} images can be decoded`);
  }

  protected getUnprepared(index: number): Sample {
    throw new SimdnnError('ImageBlobDataset', `image ${index} (${this.name(index)}) is not decoded yet: browsers decode asynchronously, so iterate with for await (const batch of loader) or await loader.batchAsync(epoch, b), which call prepare(indices) first, or use await dataset.getAsync(${index})`);
  }

  /** Stops the decoding workers. */
  close(): void {
    this.pool.close();
  }
}
