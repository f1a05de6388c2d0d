import { check, fmtShape, SimdnnError } from './errors.js';
import type { GradNode } from './autograd.js';
import { Storage } from './storage.js';
import { keep, track } from './scope.js';
import { tensorHooks } from './tensor-hooks.js';

export type Shape = number[];

/**
 * Element types. float32 is the default and the only differentiable one;
 * int32 holds indices and labels; bool holds masks, one byte per element
 * (as PyTorch stores it: a [N, H, W] mask costs a quarter of a float one, and
 * safetensors' BOOL is one byte too), 0 or 1.
 */
export type DType = 'float32' | 'int32' | 'bool';
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** Bytes per element of each dtype. */
export function dtypeBytes(dtype: DType): number {
  return dtype === 'bool' ? 1 : 4;
}

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
 * A tensor in wasm memory: row-major, contiguous, NCHW for images; float32
 * unless made with another `dtype`. Operations on tensors that require
 * gradients are recorded for `backward()`.
 *
 * Methods implemented by ops (add, sum, transpose, …) are not written here:
 * tensor.ts imports no op (import cycles). Each area installs its methods on
 * `Tensor.prototype` from `src/tensor-methods/<area>.ts` with
 * `installMethods(...)` and declares them there by declaration merging
 * (`declare module '../tensor.js' { interface Tensor { … } }`), so the .d.ts
 * shows them; src/tensor-methods/index.ts imports every area file.
 */
export class Tensor {
  private readonly _shape: Shape;
  /** The element type; fixed for the tensor's life ('float32' unless made otherwise). */
  readonly dtype: DType;
  private readonly _size: number;
  /** @internal */ readonly storage: Storage;
  /** @internal */ _scope: unknown = null;
  private _requiresGrad = false;
  private _grad: Tensor | null = null;
  private _gradFn: GradNode | null = null;
  private disposed = false;

  /**
   * @internal Use `sn.tensor`, `sn.zeros`, … ; `storage` is shared by views,
   * which must pass the dtype of the tensor they view.
   */
  constructor(shape: Shape, storage?: Storage, op = 'tensor', dtype: DType = 'float32') {
    // Frozen: an edited shape would no longer match the memory behind it (kernels trust shape).
    this._shape = Object.freeze(shape.slice()) as Shape;
    this._size = shapeSize(shape);
    this.dtype = dtype;
    this.storage = storage ?? new Storage(this.size * dtypeBytes(dtype), op);
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

  /**
   * Address of element 0 in wasm memory, after checking the tensor is live.
   * The caller may write through it, so the storage's version changes (caches
   * derived from it go stale); use it within the op that asked, never keep it.
   */
  ptr(op = 'tensor'): number {
    const p = this.readPtr(op);
    this.storage.version++;
    return p;
  }

  /** @internal Address of element 0 for reading only: the storage's version stays (weight-cache.ts). */
  readPtr(op = 'tensor'): number {
    if (this.disposed) throw new SimdnnError(op, `the tensor ${fmtShape(this.shape)} was disposed and cannot be used`);
    this.storage.live(op);
    return this.storage.ptr;
  }

  /** The same data under another shape (one size may be -1), sharing memory: PyTorch's `view` (as `reshape`, since tensors are contiguous). */
  view(shape: number[]): Tensor;
  /** @internal A live view of a float32 tensor's data in wasm memory; do not keep it across calls. */
  view(op?: string): Float32Array;
  view(arg: number[] | string = 'tensor'): Tensor | Float32Array {
    // One name, two roles: the public `view(shape)` and the kernels' memory view (an op name or nothing).
    if (Array.isArray(arg)) return tensorHooks.reshape!(this, arg);
    const op = arg;
    check(this.dtype === 'float32', op, () => `needs a float32 tensor, got ${this.dtype} tensor ${fmtShape(this.shape)}`);
    const p = this.ptr(op);
    return this.storage.heapOf(op).f32.subarray(p >>> 2, (p >>> 2) + this.size);
  }

  /** @internal A live view of an int32 tensor's data. */
  viewInt32(op = 'tensor'): Int32Array {
    check(this.dtype === 'int32', op, () => `needs an int32 tensor, got ${this.dtype} tensor ${fmtShape(this.shape)}`);
    const p = this.ptr(op);
    return this.storage.heapOf(op).i32.subarray(p >>> 2, (p >>> 2) + this.size);
  }

  /** @internal A live view of a bool tensor's bytes (0 or 1). */
  viewBool(op = 'tensor'): Uint8Array {
    check(this.dtype === 'bool', op, () => `needs a bool tensor, got ${this.dtype} tensor ${fmtShape(this.shape)}`);
    const p = this.ptr(op);
    return this.storage.heapOf(op).u8.subarray(p, p + this.size);
  }

  /** @internal A live view of the data whatever the dtype (for reading values). */
  viewAny(op = 'tensor'): Float32Array | Int32Array | Uint8Array {
    return this.dtype === 'float32' ? this.view(op) : this.dtype === 'int32' ? this.viewInt32(op) : this.viewBool(op);
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (v && this.dtype !== 'float32') throw new SimdnnError('requiresGrad', `only float32 tensors can require gradients, got ${this.dtype} tensor ${fmtShape(this.shape)}`);
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
      check(g.dtype === 'float32', 'grad', () => `must be a float32 tensor, got ${g.dtype}`);
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

  /** A copy of the values as floats, whatever the dtype (bool as 0/1). */
  toFloat32Array(): Float32Array {
    return this.dtype === 'float32' ? this.view('toFloat32Array').slice() : Float32Array.from(this.viewAny('toFloat32Array'));
  }

  /** A copy of an int32 or bool (as 0/1) tensor's values; a float32 tensor needs `.int()` first (no silent truncation). */
  toInt32Array(): Int32Array {
    const op = 'toInt32Array';
    check(this.dtype !== 'float32', op, () => `needs an int32 or bool tensor, got float32 tensor ${fmtShape(this.shape)} (convert with .int())`);
    return this.dtype === 'int32' ? this.viewInt32(op).slice() : Int32Array.from(this.viewBool(op));
  }

  /** This tensor as float32: itself when it is already float32 (as PyTorch's `.float()`), else a copy (bool as 0/1). */
  float(): Tensor {
    return this.to('float32', 'float');
  }

  /** This tensor as int32: itself when already int32, else a copy; floats truncate toward zero as PyTorch's `.int()` (NaN gives 0 and values beyond int32 wrap, where PyTorch's result is undefined). */
  int(): Tensor {
    return this.to('int32', 'int');
  }

  /** This tensor as bool: itself when already bool, else a copy where every nonzero value (NaN too) is true. */
  bool(): Tensor {
    return this.to('bool', 'bool');
  }

  /** @internal The dtype conversion behind float()/int()/bool(); not recorded for autograd (as PyTorch, a cast to int or bool ends the graph). */
  to(dtype: DType, op: string): Tensor {
    this.ptr(op);
    if (dtype === this.dtype) return this;
    const out = new Tensor(this.shape, undefined, op, dtype);
    if (this.size === 0) return out;
    const src = this.viewAny(op);
    if (dtype === 'bool') {
      const dst = out.viewBool(op);
      for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0; // NaN !== 0: true, as torch
    } else {
      // Typed-array stores convert: Int32Array truncates toward zero (ToInt32), Float32Array rounds.
      (dtype === 'int32' ? out.viewInt32(op) : out.view(op)).set(src);
    }
    return out;
  }

  /** Nested arrays in the tensor's shape (for printing and tests); bool tensors give booleans. */
  toArray(): unknown {
    const data = this.dtype === 'float32' ? this.toFloat32Array() : this.viewAny('toArray').slice();
    const asBool = this.dtype === 'bool';
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return asBool ? data[offset] !== 0 : data[offset];
      const stride = shapeSize(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor as a number (a bool tensor gives 0 or 1). */
  item(): number {
    check(this.size === 1, 'item', () => `needs a one-element tensor, got shape ${fmtShape(this.shape)}`);
    return this.viewAny('item')[0];
  }

  /**
   * Back-propagates from this tensor; `grad` defaults to 1 for a one-element
   * tensor. `retainGraph`: keep the graph for another backward through it
   * (`t.backward({ retainGraph: true })` or `t.backward(grad, { retainGraph: true })`).
   */
  backward(grad?: Tensor | { retainGraph?: boolean }, opts?: { retainGraph?: boolean }): void {
    if (grad !== undefined && grad !== null && !(grad instanceof Tensor) && opts === undefined && typeof grad === 'object') {
      tensorHooks.backward!(this, undefined, grad);
    } else {
      tensorHooks.backward!(this, grad as Tensor | undefined, opts ?? {});
    }
  }

  /** The same data, cut from the graph (shares memory, as PyTorch's detach). */
  detach(): Tensor {
    this.ptr('detach');
    return new Tensor(this.shape, this.storage, 'detach', this.dtype);
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
    return `Tensor(${fmtShape(this.shape)}${this.dtype !== 'float32' ? `, ${this.dtype}` : ''}${this._requiresGrad ? ', requiresGrad' : ''})`;
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

