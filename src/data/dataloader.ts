import { check, fmtShape, SimdnnError } from '../errors.js';
import { Rng } from '../random.js';
import { checkImage, checkKeys, type Image } from './image.js';
import type { Dataset } from './dataset.js';
import { newScratch, withScratch } from './scratch.js';
import { writePixels } from './byte-image.js';
import { stepBoundary } from '../memory/steps.js';
import { Batch, BatchBuffers } from './batch.js';

/**
 * A per-sample transform; `rng` is seeded from (seed, epoch, position in the
 * epoch). Images that sn.data's transforms make inside it use recycled memory
 * that is reused once the sample is copied into its batch: return the result,
 * do not keep it (copy with `.data.slice()` to keep one).
 */
export type Transform = (img: Image, rng: Rng) => Image;

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
  transform?: Transform;
  /**
   * Keep each batch whole after the loop moves on: its tensor is not disposed
   * then and its input array is never reused, so `x` stays readable (made again
   * from `data` once the step rules of docs/memory.md have released it).
   * Default: a loop releases a batch when it hands out the next one (see Batch).
   */
  keepTensors?: boolean;
}

/** Three 32-bit words hashed to one (murmur3's finaliser on a running mix): independent streams per (seed, epoch, i). */
function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
const SHUFFLE_STREAM = 0x5f3759df;

/**
 * Batches of a Dataset, seeded: epoch e's order is a permutation drawn from
 * (seed, e) alone and sample i's transform randomness from (seed, e, i), so a
 * run resumed at epoch e, batch b reproduces the same inputs bit for bit.
 * Each `for (const batch of loader)` is the next epoch (0, 1, 2, …); `batches(e, b)`
 * starts anywhere. Batches are prepared synchronously when asked for (see
 * bench/data.mjs: for digits this costs a few percent of a training step).
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly transform: Transform | null;
  readonly keepTensors: boolean;
  /** The epoch the next `for..of` iterates. Settable (resume a run). */
  epoch = 0;
  private readonly scratch = newScratch();
  /** Input arrays of the batches its loops released, for their next batches. */
  private readonly buffers = new BatchBuffers();
  private cachedOrder: { epoch: number; order: Int32Array } | null = null;

  constructor(dataset: Dataset, opts: DataLoaderOptions = {}) {
    const op = 'DataLoader';
    checkKeys(opts, ['batchSize', 'shuffle', 'seed', 'dropLast', 'transform', 'keepTensors'], op);
    check(dataset !== null && typeof dataset === 'object' && typeof dataset.get === 'function' && Number.isInteger(dataset.length), op, 'dataset must have a length and get(index)');
    const { batchSize = 1, shuffle = false, seed = 0, dropLast = false, transform, keepTensors = false } = opts;
    check(Number.isInteger(batchSize) && batchSize > 0, op, `batchSize must be a positive integer, got ${String(batchSize)}`);
    check(Number.isInteger(seed), op, `seed must be an integer, got ${String(seed)}`);
    check(transform === undefined || typeof transform === 'function', op, 'transform must be a function (img, rng) => img');
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = !!shuffle;
    this.seed = seed >>> 0;
    this.dropLast = !!dropLast;
    this.transform = transform ?? null;
    this.keepTensors = !!keepTensors;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The dataset indices in epoch `epoch`'s order (Fisher–Yates from (seed, epoch) when shuffling). */
  order(epoch: number): Int32Array {
    check(Number.isInteger(epoch) && epoch >= 0, 'DataLoader', `epoch must be a non-negative integer, got ${String(epoch)}`);
    const n = this.dataset.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (!this.shuffle) return idx;
    const rng = new Rng(mix(this.seed, epoch, SHUFFLE_STREAM));
    for (let i = n - 1; i > 0; i--) {
      // 32 random bits (Rng.int has 24: too coarse to be uniform over a million-image dataset).
      const j = Math.floor((rng.nextU32() * (i + 1)) / 4294967296);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx;
  }

  /**
   * Batch `b` of epoch `epoch` on its own (random access; the epoch's order is
   * cached). Its inputs are written into `into` when it holds enough floats (the
   * batch's `data` is then a view of it; WorkerDataLoader's workers reuse the
   * arrays of released batches this way), else into a new array.
   */
  batch(epoch: number, b: number, into?: Float32Array): Batch {
    if (this.cachedOrder?.epoch !== epoch) this.cachedOrder = { epoch, order: this.order(epoch) };
    check(Number.isInteger(b) && b >= 0 && b < this.length, 'DataLoader', `batch must be in [0, ${this.length}), got ${String(b)}`);
    check(into === undefined || into instanceof Float32Array, 'DataLoader', 'into must be a Float32Array');
    return this.makeBatch(this.cachedOrder.order, epoch, b, (n) => (into !== undefined && into.length >= n ? into.subarray(0, n) : new Float32Array(n)));
  }

  /**
   * `batch(epoch, b, into)` after awaiting the dataset's `prepare` for its indices:
   * an image folder decodes them with sharp (off this thread) first.
   */
  async batchAsync(epoch: number, b: number, into?: Float32Array): Promise<Batch> {
    await this.prefetch(epoch, b);
    return this.batch(epoch, b, into);
  }

  /** Input arrays allocated by this loader's loops so far (a diagnostic: flat once the first batches are made). */
  get batchBuffers(): number {
    return this.buffers.made;
  }

  /**
   * Starts the dataset's `prepare` for batch `b` of epoch `epoch` (decoding
   * ahead while another batch is built); `batchAsync` of that batch awaits it.
   */
  prefetch(epoch: number, b: number): Promise<void> {
    if (this.cachedOrder?.epoch !== epoch) this.cachedOrder = { epoch, order: this.order(epoch) };
    check(Number.isInteger(b) && b >= 0 && b < this.length, 'DataLoader', `batch must be in [0, ${this.length}), got ${String(b)}`);
    const lo = b * this.batchSize;
    return this.dataset.prepare?.(this.cachedOrder.order.subarray(lo, lo + this.batchSize)) ?? Promise.resolve();
  }

  [Symbol.iterator](): Iterator<Batch> {
    return this.batches(this.epoch++);
  }

  /** `for await (const batch of loader)`: the next epoch, each batch prepared with `batchAsync`. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.batchesAsync(this.epoch++);
  }

  /**
   * As `batches`, with the dataset's asynchronous `prepare` (sharp decoding,
   * a browser's decoding workers) before each batch; batch b + 1's `prepare`
   * starts before batch b is handed over, so decoding overlaps the caller's step.
   */
  async *batchesAsync(epoch: number = this.epoch, start = 0): AsyncGenerator<Batch> {
    check(Number.isInteger(start) && start >= 0 && start <= this.length, 'DataLoader', `start must be a batch number in [0, ${this.length}], got ${String(start)}`);
    const order = this.order(epoch);
    let prev: Batch | null = null;
    try {
      for (let b = start; b < this.length; b++) {
        // The caller is done with the previous batch: its array can hold this one.
        this.release(prev);
        prev = null;
        await this.prefetch(epoch, b);
        // A step boundary, as in `batches`.
        stepBoundary('DataLoader batch');
        const batch = this.loopBatch(order, epoch, b);
        // The next batch decodes (sharp's threads, a browser's decoding workers) while the caller trains on this one.
        if (b + 1 < this.length) this.prefetch(epoch, b + 1).catch(() => {});
        prev = batch;
        yield batch;
      }
    } finally {
      this.release(prev);
    }
  }

  /** Epoch `epoch`'s batches from batch `start` on (resuming a run mid-epoch). */
  *batches(epoch: number = this.epoch, start = 0): Generator<Batch> {
    const order = this.order(epoch);
    check(Number.isInteger(start) && start >= 0 && start <= this.length, 'DataLoader', `start must be a batch number in [0, ${this.length}], got ${String(start)}`);
    let prev: Batch | null = null;
    try {
      for (let b = start; b < this.length; b++) {
        this.release(prev);
        prev = null;
        // A step boundary (docs/memory.md) before the batch exists: its tensor
        // (made at first use of `x`) belongs to the step that receives it.
        stepBoundary('DataLoader batch');
        prev = this.loopBatch(order, epoch, b);
        yield prev;
      }
    } finally {
      this.release(prev);
    }
  }

  /** A batch of a loop: its array comes from, and goes back to, the loader's spares (unless keepTensors). */
  private loopBatch(order: Int32Array, epoch: number, b: number): Batch {
    if (this.keepTensors) return this.makeBatch(order, epoch, b, (n) => new Float32Array(n));
    return this.makeBatch(order, epoch, b, (n) => this.buffers.take(n), (buffer) => this.buffers.give(buffer));
  }

  /** The loop moved on from `batch` (see Batch). */
  private release(batch: Batch | null): void {
    if (batch !== null && !this.keepTensors) batch.release('when the DataLoader handed out the next batch or its loop ended');
  }

  /**
   * Batch `b` of epoch `epoch`: fetch, transform, and copy each sample into one
   * NCHW array from `alloc` (given back through `giveBack` when a loop releases the batch).
   */
  private makeBatch(order: Int32Array, epoch: number, b: number, alloc: (length: number) => Float32Array, giveBack?: (buffer: ArrayBuffer) => void): Batch {
    const lo = b * this.batchSize;
    const n = Math.min(order.length, lo + this.batchSize) - lo;
    const y = new Int32Array(n);
    const indices = order.slice(lo, lo + n);
    let data: Float32Array | null = null;
    let shape: [number, number, number, number] = [n, 0, 0, 0];
    const { arena, reset } = this.scratch;
    withScratch(arena, () => {
      for (let k = 0; k < n; k++) {
        reset(); // the previous sample is in `data` now
        const { image, label } = this.sample(indices[k], epoch, lo + k);
        const size = image.channels * image.height * image.width;
        if (data === null) {
          shape = [n, image.channels, image.height, image.width];
          data = alloc(n * size);
        } else if (image.channels !== shape[1] || image.height !== shape[2] || image.width !== shape[3]) {
          throw new SimdnnError('DataLoader', `sample ${indices[k]} is ${fmtShape([image.channels, image.height, image.width])} but the batch's first sample is ${fmtShape(shape.slice(1))}; resize or crop to one size`);
        }
        // Pixels still as bytes (a decoded photo, cropped and flipped) become floats here, in the batch.
        writePixels(image, data, k * size);
        y[k] = label;
      }
    });
    return new Batch(data ?? new Float32Array(0), shape, y, indices, epoch, b, giveBack ?? null);
  }

  /** Dataset item `index`, transformed with the rng of position `pos` in epoch `epoch`. */
  private sample(index: number, epoch: number, pos: number): { image: Image; label: number } {
    const s = this.dataset.get(index);
    const label = s.label;
    if (!(Number.isInteger(label) && label >= 0 && label <= 0x7fffffff)) throw new SimdnnError('DataLoader', `sample ${index} has label ${String(label)}, expected a non-negative integer`);
    if (this.transform === null) return s;
    const image = this.transform(s.image, new Rng(mix(this.seed, epoch, pos)));
    checkImage(image, 'DataLoader transform');
    return { image, label };
  }
}
