import { check, fmtShape, SimdnnError } from './errors.js';
import type { GradNode } from './autograd.js';
import { Storage } from './storage.js';
import { keep, track } from './scope.js';
import { tensorHooks } from './tensor-hooks.js';

export type Shape = number[];

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: unknown, op: string, arg = 'shape'): asserts shape is number[] {
  if (!Array.isArray(shape)) throw new SimdnnError(op, `${arg} must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new SimdnnError(op, `${arg} ${fmtShape(shape)} has a size that is not a non-negative integer`);
  }
}

/**
 * A float32 tensor in wasm memory: row-major, contiguous, NCHW for images.
 * Operations on tensors that require gradients are recorded for `backward()`.
 */
export class Tensor {
  private readonly _shape: Shape;
  private readonly _size: number;
  /** @internal */ readonly storage: Storage;
  /** @internal */ _scope: unknown = null;
  private _requiresGrad = false;
  private _grad: Tensor | null = null;
  private _gradFn: GradNode | null = null;
  private disposed = false;

  /** @internal Use `sn.tensor`, `sn.zeros`, … ; `storage` is shared by views. */
  constructor(shape: Shape, storage?: Storage, op = 'tensor') {
    // Frozen: an edited shape would no longer match the memory behind it (kernels trust shape).
    this._shape = Object.freeze(shape.slice()) as Shape;
    this._size = shapeSize(shape);
    this.storage = storage ?? new Storage(this.size * 4, op);
    this.storage.refs++;
    track(this);
  }

  /** The sizes, outermost first. Read-only (getter, frozen array): kernels trust it to match the memory; use reshape. */
  get shape(): Shape {
    return this._shape;
  }
  /** The number of elements. Read-only. */
  get size(): number {
    return this._size;
  }

  /** Address of element 0 in wasm memory, after checking the tensor is live. */
  ptr(op = 'tensor'): number {
    if (this.disposed) throw new SimdnnError(op, `the tensor ${fmtShape(this.shape)} was disposed and cannot be used`);
    this.storage.live(op);
    return this.storage.ptr;
  }

  /** @internal A live view of the data in wasm memory; do not keep it across calls. */
  view(op = 'tensor'): Float32Array {
    const p = this.ptr(op);
    return this.storage.heapOf(op).f32.subarray(p >>> 2, (p >>> 2) + this.size);
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    // As PyTorch: on a non-leaf only a change is an error (setting true where it is already true is allowed).
    if (this._gradFn !== null && !!v !== this._requiresGrad) throw new SimdnnError('requiresGrad', 'can only be set on leaf tensors (this one is the result of an operation; use detach())');
    this._requiresGrad = !!v;
  }

  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      check(g instanceof Tensor, 'grad', 'must be a Tensor or null');
      check(sameShape(g.shape, this.shape), 'grad', () => `shape ${fmtShape(g.shape)} differs from the tensor's ${fmtShape(this.shape)}`);
      keep(g);
    }
    this._grad = g;
  }

  /** The operation that produced this tensor, or null for a leaf. */
  get gradFn(): GradNode | null {
    return this._gradFn;
  }
  get isLeaf(): boolean {
    return this._gradFn === null;
  }
  /** @internal */
  _setGradFn(node: GradNode | null): void {
    this._gradFn = node;
    this._requiresGrad = node !== null || this._requiresGrad;
  }

  get isDisposed(): boolean {
    return this.disposed || this.storage.released;
  }

  toFloat32Array(): Float32Array {
    return this.view('toFloat32Array').slice();
  }

  /** Nested arrays in the tensor's shape (for printing and tests). */
  toArray(): unknown {
    const data = this.toFloat32Array();
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return data[offset];
      const stride = shapeSize(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  item(): number {
    check(this.size === 1, 'item', () => `needs a one-element tensor, got shape ${fmtShape(this.shape)}`);
    return this.view('item')[0];
  }

  /** Back-propagates from this tensor; `grad` defaults to 1 for a one-element tensor. */
  backward(grad?: Tensor): void {
    tensorHooks.backward!(this, grad);
  }

  /** The same data, cut from the graph (shares memory, as PyTorch's detach). */
  detach(): Tensor {
    this.ptr('detach');
    return new Tensor(this.shape, this.storage);
  }

  /** A copy with its own memory, recorded for autograd. */
  clone(): Tensor {
    return tensorHooks.clone!(this);
  }

  reshape(shape: number[]): Tensor {
    return tensorHooks.reshape!(this, shape);
  }

  /** Releases the memory now (when no view shares it). Using the tensor afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.storage.refs--;
    if (this.storage.refs <= 0) this.storage.release();
    this._gradFn = null;
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}${this._requiresGrad ? ', requiresGrad' : ''})`;
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

