import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { check, SimdnnError } from '../../errors.js';
import type { Dataset, Sample } from '../dataset.js';
import { checkKeys, type Image } from '../image.js';
import { resize } from '../resize.js';
import { decodeImageFile, isImageFile } from './decode-image.js';

export interface ImageFolderOptions {
  /** Resize so the shorter side is this many pixels (bilinear), e.g. 256 for AlexNet. */
  resize?: number;
  /** 3 (RGB, default) or 1 (gray). */
  channels?: 1 | 3;
  /** Decode every image once now and keep them (small datasets); default: decode on each get. */
  preload?: boolean;
}

/**
 * torchvision's ImageFolder: `root/<class>/<image>.png|jpg|jpeg`, classes are the
 * sub-folder names sorted, files sorted within each; other files are ignored.
 */
export class ImageFolderDataset implements Dataset {
  readonly root: string;
  readonly classes: readonly string[];
  readonly files: readonly string[];
  readonly labels: Int32Array;
  private readonly opts: ImageFolderOptions;
  private readonly cache: Image[] | null = null;

  constructor(root: string, opts: ImageFolderOptions = {}) {
    const op = 'ImageFolder';
    checkKeys(opts, ['resize', 'channels', 'preload'], op);
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
    if (opts.preload) this.cache = files.map((_, i) => this.load(i));
  }

  get length(): number {
    return this.files.length;
  }

  private load(index: number): Image {
    const img = decodeImageFile(this.files[index], this.opts.channels ?? 3);
    return this.opts.resize !== undefined ? resize(img, this.opts.resize) : img;
  }

  get(index: number): Sample {
    check(Number.isInteger(index) && index >= 0 && index < this.length, 'Dataset.get', () => `index ${index} is out of range for ${this.length} samples`);
    const cached = this.cache?.[index];
    // A copy of a cached image, so a transform that writes in place cannot change the cache.
    const image = cached ? { ...cached, data: cached.data.slice() } : this.load(index);
    return { image, label: this.labels[index] };
  }
}
