import { check, fmtShape } from '../errors.js';
import type { Image } from './image.js';
import { allocPixels } from './scratch.js';
import { BYTE_TO_UNIT } from './byte-image.js';

/** One labelled example. */
export interface Sample {
  image: Image;
  label: number;
}

/**
 * What a DataLoader reads: `length` examples, fetched by index. While a
 * DataLoader builds a batch, the images sn.data's datasets and transforms return
 * live in memory that is recycled after the sample is copied into the batch:
 * a dataset that wraps another and caches its images must cache copies.
 */
export interface Dataset {
  readonly length: number;
  get(index: number): Sample;
  /** Class names by label, where known (image folders, CIFAR-10, digits). */
  readonly classes?: readonly string[];
  /**
   * Optional asynchronous warm-up: load the examples at `indices` (a batch)
   * so that the `get` calls that follow are fast. Image folders decode with
   * sharp here; DataLoader.batchAsync and `for await` call it.
   */
  prepare?(indices: ArrayLike<number>): Promise<void>;
}

export interface ImageArrayOptions {
  /** N·C·H·W pixels, CHW per image: bytes (scaled by 1/255 on read) or floats (as they are). */
  pixels: Uint8Array | Float32Array;
  labels: ArrayLike<number>;
  channels: number;
  height: number;
  width: number;
  classes?: readonly string[];
}


/**
 * Images held in one array (MNIST, CIFAR-10, the embedded digits). Bytes stay
 * bytes in memory (a quarter of the floats) and become [0, 1] floats on read,
 * like torchvision's ToTensor.
 */
export class ImageArrayDataset implements Dataset {
  readonly pixels: Uint8Array | Float32Array;
  readonly labels: Int32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly classes?: readonly string[];

  constructor(o: ImageArrayOptions) {
    const op = 'ImageArrayDataset';
    check(o.pixels instanceof Uint8Array || o.pixels instanceof Float32Array, op, 'pixels must be a Uint8Array or Float32Array');
    for (const k of ['channels', 'height', 'width'] as const) check(Number.isInteger(o[k]) && o[k] > 0, op, `${k} must be a positive integer, got ${String(o[k])}`);
    const per = o.channels * o.height * o.width;
    const n = o.labels.length;
    check(o.pixels.length === n * per, op, () => `${n} labels need ${n}x${fmtShape([o.channels, o.height, o.width])} = ${n * per} pixels, got ${o.pixels.length}`);
    this.labels = Int32Array.from(o.labels);
    for (let i = 0; i < n; i++) check(this.labels[i] >= 0, op, () => `label ${i} is negative (${this.labels[i]})`);
    if (o.classes) check(this.labels.every((l) => l < o.classes!.length), op, `a label is out of range for ${o.classes.length} classes`);
    this.pixels = o.pixels;
    this.channels = o.channels;
    this.height = o.height;
    this.width = o.width;
    this.classes = o.classes;
  }

  get length(): number {
    return this.labels.length;
  }

  get(index: number): Sample {
    check(Number.isInteger(index) && index >= 0 && index < this.length, 'Dataset.get', () => `index ${index} is out of range for ${this.length} samples`);
    const per = this.channels * this.height * this.width;
    const src = this.pixels.subarray(index * per, (index + 1) * per);
    let data: Float32Array;
    if (src instanceof Uint8Array) {
      data = allocPixels(per);
      for (let i = 0; i < per; i++) data[i] = BYTE_TO_UNIT[src[i]];
    } else {
      data = allocPixels(per);
      data.set(src);
    }
    return { image: { data, channels: this.channels, height: this.height, width: this.width }, label: this.labels[index] };
  }
}

/** The examples of `dataset` at `indices`, in that order (a train/validation split). */
export class Subset implements Dataset {
  readonly indices: Int32Array;
  constructor(readonly dataset: Dataset, indices: ArrayLike<number>) {
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) check(i >= 0 && i < dataset.length, 'Subset', () => `index ${i} is out of range for ${dataset.length} samples`);
  }
  get length(): number {
    return this.indices.length;
  }
  get classes(): readonly string[] | undefined {
    return this.dataset.classes;
  }
  async prepare(indices: ArrayLike<number>): Promise<void> {
    await this.dataset.prepare?.(Array.from(indices, (i) => this.indices[i]).filter((i) => i !== undefined));
  }
  get(index: number): Sample {
    check(Number.isInteger(index) && index >= 0 && index < this.length, 'Dataset.get', () => `index ${index} is out of range for ${this.length} samples`);
    return this.dataset.get(this.indices[index]);
  }
}
