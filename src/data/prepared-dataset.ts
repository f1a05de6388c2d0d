// What Node's ImageFolderDataset (sharp) and the browser's ImageBlobDataset
// (createImageBitmap in workers) share: images are decoded asynchronously while
// `Dataset.get` is synchronous, and the two meet in `prepare(indices)`, which
// decodes a batch's images into a hand-over table that the following `get`
// calls take from. Each subclass keeps only its platform's decoding.
import { check, SimdnnError } from '../errors.js';
import type { Dataset, Sample } from './dataset.js';
import type { Image } from './image.js';

export abstract class PreparedImageDataset implements Dataset {
  abstract readonly labels: Int32Array;
  abstract get length(): number;
  /** Images (or their errors) decoded by `prepare`, taken by the next `get` of that index. */
  private readonly prepared = new Map<number, Sample | Error>();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly reported = new Set<number>();

  /**
   * `skipBadImages`: a file that cannot be decoded is reported once and
   * replaced by the next readable one; `skipNote` ends that report (the
   * option's name where the user set it).
   */
  protected constructor(
    protected readonly skipBadImages: boolean,
    private readonly skipNote: string,
  ) {}

  /** The asynchronous decoder `prepare` uses now, or null where there is none (then `prepare` does nothing). */
  protected abstract asyncDecoder(): ((i: number) => Promise<Image>) | null;
  /** Whether `prepare` may skip past this decoding error (with skipBadImages). */
  protected abstract skippable(e: unknown): boolean;
  /** The error when no image of the dataset can be decoded. */
  protected abstract noneReadable(): SimdnnError;
  /** `get` of an index `prepare` has not decoded. */
  protected abstract getUnprepared(index: number): Sample;

  /** Decodes the images at `indices` (all at once) for the `get` calls that follow. */
  async prepare(indices: ArrayLike<number>): Promise<void> {
    const decode = this.asyncDecoder();
    if (decode === null) return;
    const waits: Promise<void>[] = [];
    for (const index of Array.from(indices)) {
      if (!(Number.isInteger(index) && index >= 0 && index < this.length) || this.prepared.has(index)) continue;
      // A decode already under way (a prefetch of the same batch) is awaited, not repeated.
      let job = this.pending.get(index);
      if (job === undefined) {
        job = this.decodeInto(index, decode).finally(() => this.pending.delete(index));
        this.pending.set(index, job);
      }
      waits.push(job);
    }
    await Promise.all(waits);
  }

  /** Decodes `index` into the hand-over table; with skipBadImages a bad file's place goes to the next readable one (decoded the same way). */
  private async decodeInto(index: number, decode: (i: number) => Promise<Image>): Promise<void> {
    for (let k = 0; k < this.length; k++) {
      const i = (index + k) % this.length;
      try {
        this.prepared.set(index, { image: await decode(i), label: this.labels[i] });
        return;
      } catch (e) {
        if (!this.skipBadImages || !this.skippable(e)) {
          this.prepared.set(index, e as Error);
          return;
        }
        this.report(i, e as Error);
      }
    }
    this.prepared.set(index, this.noneReadable());
  }

  /** `get` after `prepare`. */
  async getAsync(index: number): Promise<Sample> {
    await this.prepare([index]);
    return this.get(index);
  }

  get(index: number): Sample {
    check(Number.isInteger(index) && index >= 0 && index < this.length, 'Dataset.get', () => `index ${index} is out of range for ${this.length} samples`);
    const ready = this.prepared.get(index);
    if (ready === undefined) return this.getUnprepared(index);
    this.prepared.delete(index);
    if (ready instanceof Error) throw ready;
    return ready;
  }

  /** Reports a skipped file once (console.warn). */
  protected report(i: number, e: Error): void {
    if (this.reported.has(i)) return;
    this.reported.add(i);
    console.warn(`simdnn: skipping ${e.message} (${this.skipNote}: using the next image instead)`);
  }
}
