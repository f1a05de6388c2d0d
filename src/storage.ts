import { SimdnnError } from './errors.js';
import { backend, type Backend } from './runtime/backend.js';

/**
 * A block of wasm memory owned by one or more tensors (views share it).
 * Released by `dispose()`, by the end of a `tidy` scope, or by the garbage
 * collector when no tensor references it any more.
 */
export class Storage {
  readonly ptr: number;
  readonly bytes: number;
  readonly epoch: number;
  released = false;
  /** Tensors (views) sharing this block; released when the last is disposed. */
  refs = 0;
  private readonly token: { ptr: number; epoch: number; done: boolean };

  constructor(bytes: number, op: string) {
    const b = backend(op);
    this.bytes = bytes;
    this.ptr = bytes > 0 ? b.heap.alloc(bytes) : 0;
    this.epoch = b.epoch;
    this.token = { ptr: this.ptr, epoch: b.epoch, done: bytes === 0 };
    if (bytes > 0) collector.register(this, this.token, this.token);
  }

  /** The backend, after checking this storage is still live. */
  live(op: string): Backend {
    if (this.released) throw new SimdnnError(op, 'the tensor was released (disposed, or freed at the end of its tidy scope) and cannot be used');
    const b = backend(op);
    if (b.epoch !== this.epoch) throw new SimdnnError(op, 'the tensor was made before the last init()/shutdown() and its memory is gone');
    return b;
  }

  heapOf(op: string) {
    return this.live(op).heap;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.token.done) return;
    this.token.done = true;
    collector.unregister(this.token);
    freeIfCurrent(this.token.ptr, this.token.epoch);
  }
}

function freeIfCurrent(ptr: number, epoch: number): void {
  let b: Backend;
  try {
    b = backend();
  } catch {
    return; // shut down: the whole memory is gone already
  }
  if (b.epoch === epoch) b.heap.release(ptr);
}

const collector = new FinalizationRegistry<{ ptr: number; epoch: number; done: boolean }>((token) => {
  if (token.done) return;
  token.done = true;
  freeIfCurrent(token.ptr, token.epoch);
});
