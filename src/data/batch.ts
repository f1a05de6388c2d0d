import { SimdnnError } from '../errors.js';
import { tensor } from '../ops/basic.js';
import type { Tensor } from '../tensor.js';

/**
 * One batch: inputs as NCHW floats (`data`, and as a Tensor `x` made on first
 * use), class labels `y`, and the dataset indices they came from.
 * `const [x, y] = batch` destructures like PyTorch's (inputs, targets).
 *
 * A loop (`for..of`, `for await`) releases a batch when it hands out the next
 * one or ends: `x` is disposed then (unless `sn.keep(x)`), as the step tensors
 * of docs/memory.md are. A batch whose `x` was made and whose `data` was never
 * read also gives its input array back to the loader for a later batch (a 224²
 * batch of 32 is 19 MB: a fresh one per batch costs more in page faults than
 * writing it). Nobody holds that array, so nothing changes under anyone's
 * feet; only `x` and `data` of that released batch throw a SimdnnError saying
 * so. `data` you read is yours: that batch's array is never reused.
 */
export class Batch {
  private tensor: Tensor | null = null;
  /** Whether `data` was handed out (then the array is never recycled). */
  private dataRead = false;
  /** Set when the array went back to the loader: why `x` and `data` are gone. */
  private recycled: string | null = null;
  private readonly values: Float32Array;

  constructor(
    data: Float32Array,
    readonly shape: [number, number, number, number],
    readonly y: Int32Array,
    readonly indices: Int32Array,
    readonly epoch: number,
    readonly index: number,
    /** Takes the array back for a later batch when the loader releases this one (see the class comment). */
    private readonly giveBack: ((buffer: ArrayBuffer) => void) | null = null,
  ) {
    this.values = data;
  }

  get size(): number {
    return this.shape[0];
  }

  /** The inputs as NCHW floats (yours to keep: a batch whose data was read is never recycled). */
  get data(): Float32Array {
    this.checkInputs('Batch.data');
    this.dataRead = true;
    return this.values;
  }

  /** The inputs as a [N, C, H, W] tensor (needs `init()`); made once, in the scope of the first access. */
  get x(): Tensor {
    if (this.tensor !== null && !this.tensor.isDisposed) return this.tensor;
    this.checkInputs('Batch.x');
    this.tensor = tensor(this.values, this.shape);
    return this.tensor;
  }

  /** Disposes the tensor made by `x`, if any. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }

  /**
   * @internal The loader moved on (`how`: 'when the DataLoader handed out the
   * next batch'): `x` is disposed unless kept, and the input array goes back
   * to the loader if `x` was made and `data` never read.
   */
  release(how: string): void {
    const made = this.tensor !== null;
    if (this.tensor !== null && !this.tensor.storage.persistent) this.dispose();
    if (!made || this.dataRead || this.giveBack === null || this.recycled !== null) return;
    this.recycled = how;
    this.giveBack(this.values.buffer as ArrayBuffer);
  }

  private checkInputs(op: string): void {
    if (this.recycled === null) return;
    throw new SimdnnError(op, `batch ${this.index} of epoch ${this.epoch} was released ${this.recycled}, and its input memory now holds a later batch. ` +
      "A batch's x is a step tensor (docs/memory.md): to use a batch after the loop has moved on, sn.keep(batch.x) or copy batch.data while it is current, or make the loader with keepTensors: true");
  }

  *[Symbol.iterator](): Iterator<Tensor | Int32Array> {
    yield this.x;
    yield this.y;
  }
}

/**
 * Input arrays of released batches, for the loader's next ones: memory stays
 * flat over epochs and the pages are already mapped. `made` counts the arrays
 * allocated (a diagnostic: it stops growing once the loop is warm).
 */
export class BatchBuffers {
  private readonly free: ArrayBuffer[] = [];
  made = 0;

  /** An array of `length` floats (contents unspecified: the batch overwrites all of it). */
  take(length: number): Float32Array {
    const k = this.free.findIndex((b) => b.byteLength >= 4 * length);
    if (k >= 0) return new Float32Array(this.free.splice(k, 1)[0], 0, length);
    this.made++;
    return new Float32Array(length);
  }

  give(buffer: ArrayBuffer): void {
    // A loop holds at most two batches; more spares would only be memory.
    if (this.free.length < 4) this.free.push(buffer);
  }
}
