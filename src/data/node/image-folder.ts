import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { check, SimdnnError } from '../../errors.js';
import type { Sample } from '../dataset.js';
import { PreparedImageDataset } from '../prepared-dataset.js';
import { checkKeys, type Image } from '../image.js';
import { resize } from '../resize.js';
import { decodeImageFile, isImageFile } from './decode-image.js';
import { decodeImageFileSharp, getSharp } from './sharp-decode.js';

export interface ImageFolderOptions {
  /** Resize so the shorter side is this many pixels (bilinear), e.g. 256 for AlexNet. */
  resize?: number;
  /** 3 (RGB, default) or 1 (gray). */
  channels?: 1 | 3;
  /** Decode every image once now and keep them (small datasets); default: decode on each get. */
  preload?: boolean;
  /**
   * 'auto' (default): sharp where it loads, for images decoded by `prepare`
   * (the DataLoader's async paths); 'js': always jpeg-js/pngjs.
   */
  decoder?: 'auto' | 'js';
  /**
   * A file that cannot be decoded is reported (one line on stderr, once per
   * file) and replaced by the next readable image of the folder, instead of
   * failing the run (default false: an error naming the file).
   */
  skipBadImages?: boolean;
}

/**
 * torchvision's ImageFolder: `root/<class>/<image>.png|jpg|jpeg`, classes are the
 * sub-folder names sorted, files sorted within each; other files are ignored.
 *
 * sharp decodes asynchronously while `Dataset.get` is synchronous. The two meet
 * in `prepare(indices)`: it decodes those files with sharp (libvips' threads,
 * shrinking on load to `resize`) into a hand-over table, and `get` takes its
 * image from there. DataLoader's `batchAsync` / `for await` and the
 * WorkerDataLoader's workers call `prepare` for each batch before building it,
 * so decoding runs off the training thread; a plain synchronous `get` without
 * `prepare` decodes with the pure-JS decoders (same pixels for PNG; JPEG within
 * the decoders' IDCT and chroma-upsampling differences).
 */
export class ImageFolderDataset extends PreparedImageDataset {
  readonly root: string;
  readonly classes: readonly string[];
  readonly files: readonly string[];
  readonly labels: Int32Array;
  private readonly opts: ImageFolderOptions;
  private readonly cache: Image[] | null = null;

  constructor(root: string, opts: ImageFolderOptions = {}) {
    super(!!opts?.skipBadImages, '--skip-bad-images');
    const op = 'ImageFolder';
    checkKeys(opts, ['resize', 'channels', 'preload', 'decoder', 'skipBadImages'], op);
    check(opts.decoder === undefined || opts.decoder === 'auto' || opts.decoder === 'js', op, `decoder must be 'auto' or 'js', got ${String(opts.decoder)}`);
    check(opts.resize === undefined || (Number.isInteger(opts.resize) && opts.resize > 0), op, `resize must be a positive integer, got ${String(opts.resize)}`);
    check(opts.channels === undefined || opts.channels === 1 || opts.channels === 3, op, `channels must be 1 or 3, got ${String(opts.channels)}`);
    let entries: string[];
    try {
      entries = readdirSync(root).sort();
    } catch (e) {
      throw new SimdnnError(op, `${root}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const classes = entries.filter((e) => statSync(join(root, e)).isDirectory());
    if (classes.length === 0) throw new SimdnnError(op, `${root}: no class sub-folders (expected root/<class>/<image>.png|jpg)`);
    const files: string[] = [], labels: number[] = [];
    classes.forEach((cls, label) => {
      const imgs = readdirSync(join(root, cls)).filter(isImageFile).sort();
      if (imgs.length === 0) throw new SimdnnError(op, `${join(root, cls)}: class '${cls}' has no .png/.jpg/.jpeg files`);
      for (const f of imgs) {
        files.push(join(root, cls, f));
        labels.push(label);
      }
    });
    this.root = root;
    this.classes = classes;
    this.files = files;
    this.labels = Int32Array.from(labels);
    this.opts = { ...opts };
    if (opts.preload) this.cache = files.map((_, i) => this.get(i).image);
  }

  get length(): number {
    return this.files.length;
  }

  private load(index: number): Image {
    const img = decodeImageFile(this.files[index], this.opts.channels ?? 3);
    return this.opts.resize !== undefined ? resize(img, this.opts.resize) : img;
  }

  /**
   * `prepare` decodes with sharp (all of a batch at once: libvips decodes on
   * its own threads). Without sharp, or with decoder 'js', or when preloaded,
   * there is none and `prepare` does nothing.
   */
  protected asyncDecoder(): ((i: number) => Promise<Image>) | null {
    const sharp = this.cache === null && this.opts.decoder !== 'js' ? getSharp() : null;
    if (sharp === null) return null;
    return (i) => decodeImageFileSharp(sharp, this.files[i], this.opts.channels ?? 3, this.opts.resize);
  }

  /** A bad file's place goes to the next readable one (decoded by sharp too), whatever sharp's error. */
  protected skippable(): boolean {
    return true;
  }

  /** Not prepared: decoded here with the pure-JS decoders, skipping bad files as `prepare` does. */
  protected getUnprepared(index: number): Sample {
    for (let k = 0; k < this.length; k++) {
      const i = (index + k) % this.length;
      try {
        return { image: this.image(i), label: this.labels[i] };
      } catch (e) {
        if (!this.opts.skipBadImages || !(e instanceof SimdnnError)) throw e;
        this.report(i, e);
      }
    }
    throw this.noneReadable();
  }

  protected noneReadable(): SimdnnError {
    return new SimdnnError('ImageFolder', `${this.root}: none of the ${this.length} images can be decoded`);
  }

  private image(index: number): Image {
    const cached = this.cache?.[index];
    // A copy of a cached image, so a transform that writes in place cannot change the cache.
    return cached ? { ...cached, data: cached.data.slice() } : this.load(index);
  }
}
