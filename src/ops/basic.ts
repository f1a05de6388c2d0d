import { kernels } from '../runtime/kernel-calls.js';
import { check, checkKnownKeys, fmtShape, SimdnnError } from '../errors.js';
import { traceOp } from '../trace.js';
import { record } from '../autograd.js';
import { Rng, nextSeed } from '../random.js';
import { checkShape, dtypeBytes, DTYPES, shapeSize, Tensor, type DType } from '../tensor.js';
import { tensorHooks } from '../tensor-hooks.js';
import { elementwiseThreads } from './launch.js';

/** A new, uninitialised tensor (every kernel that fills one writes all of it). */
export function empty(shape: number[], op = 'tensor', dtype: DType = 'float32'): Tensor {
  return new Tensor(shape, undefined, op, dtype);
}

/** A `dtype` option: undefined gives `dflt`; anything but a known dtype name is an error. */
export function dtypeOption(v: unknown, dflt: DType, op: string): DType {
  if (v === undefined) return dflt;
  check(DTYPES.includes(v as DType), op, () => `dtype must be one of ${DTYPES.map((d) => `'${d}'`).join(', ')}, got ${String(v)}`);
  return v as DType;
}

export interface TensorOptions {
  /** Default: 'int32' for Int32Array data, 'bool' for boolean[] data, else 'float32' (see `tensor`). */
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Rejects option names `op` does not know (API.md: an unknown option is an error, not ignored). */
function checkKeys(op: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new SimdnnError(op, `options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  checkKnownKeys(op, opts, allowed);
}

/**
 * A tensor holding a copy of `data`. The dtype, unless `opts.dtype` says: int32
 * for Int32Array data, bool for boolean[] data, float32 for everything else
 * (number[] too: simdnn has no int64, and PyTorch's default dtype for Python
 * floats is float32; pass `{ dtype: 'int32' }` for integer data). Values are
 * converted to the dtype as `.int()`/`.bool()` would (truncation, nonzero).
 */
export function tensor(
  data: Float32Array | Int32Array | number[] | boolean[] | ArrayLike<number>,
  shape?: number[],
  opts: TensorOptions = {},
): Tensor {
  const op = 'tensor';
  checkKeys(op, opts, ['dtype', 'requiresGrad']);
  if (!(data instanceof Float32Array || data instanceof Int32Array || Array.isArray(data) || ArrayBuffer.isView(data))) {
    throw new SimdnnError(op, `data must be a Float32Array, Int32Array, number[] or boolean[], got ${Object.prototype.toString.call(data)}`);
  }
  const arr = data as ArrayLike<number>;
  const s = shape ?? [arr.length];
  checkShape(s, op);
  check(shapeSize(s) === arr.length, op, () => `data has ${arr.length} values but shape ${fmtShape(s)} holds ${shapeSize(s)}`);
  let inferred: DType = data instanceof Int32Array ? 'int32' : 'float32';
  if (Array.isArray(data)) {
    const kind = data.length > 0 && typeof data[0] === 'boolean' ? 'boolean' : 'number';
    if (kind === 'boolean') inferred = 'bool';
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== kind) throw new SimdnnError(op, `data[${i}] is not a ${kind} (${typeof data[i]}); data must be all numbers or all booleans`);
    }
  }
  const dtype = dtypeOption(opts.dtype, inferred, op);
  check(!opts.requiresGrad || dtype === 'float32', op, () => `only float32 tensors can require gradients, got dtype ${dtype}`);
  const t = empty(s, op, dtype);
  if (dtype === 'float32') t.view(op).set(Array.isArray(data) ? (data as unknown[]).map(Number) : arr);
  else if (dtype === 'int32') t.viewInt32(op).set(Array.isArray(data) ? (data as unknown[]).map(Number) : arr);
  else {
    const dst = t.viewBool(op);
    for (let i = 0; i < arr.length; i++) dst[i] = Number(arr[i]) !== 0 ? 1 : 0;
  }
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor of `shape` filled with `value` (converted to `dtype` as `tensor` does). */
export function full(shape: number[], value: number | boolean, opts: TensorOptions = {}, op = 'full'): Tensor {
  checkKeys(op, opts, ['dtype', 'requiresGrad']);
  checkShape(shape, op);
  check(typeof value === 'number' || typeof value === 'boolean', op, `value must be a number, got ${typeof value}`);
  const dtype = dtypeOption(opts.dtype, typeof value === 'boolean' ? 'bool' : 'float32', op);
  check(!opts.requiresGrad || dtype === 'float32', op, () => `only float32 tensors can require gradients, got dtype ${dtype}`);
  const t = empty(shape, op, dtype);
  const v = Number(value);
  if (dtype === 'float32') kernels.fill({ dst: t.ptr(), v, n: t.size }, elementwiseThreads(t.size));
  else if (dtype === 'int32') t.viewInt32(op).fill(v);
  else t.viewBool(op).fill(v !== 0 ? 1 : 0);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}
export const zeros = (shape: number[], opts?: TensorOptions) => full(shape, 0, opts, 'zeros');
export const ones = (shape: number[], opts?: TensorOptions) => full(shape, 1, opts, 'ones');
export const onesLike = (t: Tensor) => full(t.shape, 1);
export const zerosLike = (t: Tensor) => full(t.shape, 0);

function random(op: string, shape: number[], opts: { seed?: number; requiresGrad?: boolean }, draw: (r: Rng) => number): Tensor {
  checkKeys(op, opts, ['seed', 'requiresGrad']);
  checkShape(shape, op);
  const seed = opts.seed ?? nextSeed();
  check(Number.isInteger(seed), op, `seed must be an integer, got ${String(seed)}`);
  const rng = new Rng(seed);
  const t = empty(shape, op);
  const v = t.view(op);
  for (let i = 0; i < v.length; i++) v[i] = draw(rng);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}
/** Standard normal samples, reproducible from `seed`. */
export const randn = (shape: number[], opts: { seed?: number; requiresGrad?: boolean } = {}) => random('randn', shape, opts, (r) => r.normal());
/** Uniform [0, 1) samples, reproducible from `seed`. */
export const rand = (shape: number[], opts: { seed?: number; requiresGrad?: boolean } = {}) => random('rand', shape, opts, (r) => r.uniform());

/** A copy with its own memory, outside autograd. */
export function copyOf(t: Tensor, op = 'copy'): Tensor {
  const src = t.ptr(op);
  const out = empty(t.shape, op, t.dtype);
  const heap = out.storage.heapOf(op);
  heap.u8.copyWithin(out.ptr(), src, src + t.size * dtypeBytes(t.dtype));
  return out;
}

/** dst += src, in place, outside autograd (gradient accumulation). */
export function addInto(dst: Tensor, src: Tensor): void {
  check(dst.size === src.size, 'add_', () => `shapes differ: ${fmtShape(dst.shape)} vs ${fmtShape(src.shape)}`);
  kernels.addInPlace({ dst: dst.ptr('add_'), src: src.ptr('add_'), n: dst.size }, elementwiseThreads(dst.size));
}

export function clone(t: Tensor): Tensor {
  const out = copyOf(t, 'clone');
  return record('clone', out, [t], (g) => [g]);
}

/** Same data, new shape (a view; one size may be -1). */
export function reshape(t: Tensor, shape: number[]): Tensor {
  const op = 'reshape';
  check(t instanceof Tensor, op, 'input must be a Tensor');
  check(Array.isArray(shape), op, `shape must be an array, got ${String(shape)}`);
  const s = shape.slice();
  const infer = s.indexOf(-1);
  if (infer >= 0) {
    check(s.indexOf(-1, infer + 1) < 0, op, `only one size may be -1, got ${fmtShape(shape)}`);
    const rest = shapeSize(s.filter((_, i) => i !== infer));
    check(rest > 0 && t.size % rest === 0, op, () => `cannot infer -1 in ${fmtShape(shape)} for ${t.size} elements (input ${fmtShape(t.shape)})`);
    s[infer] = t.size / rest;
  }
  checkShape(s, op);
  check(shapeSize(s) === t.size, op, () => `shape ${fmtShape(shape)} is invalid for input of size ${t.size} (shape ${fmtShape(t.shape)})`);
  t.ptr(op);
  const out = new Tensor(s, t.storage, op, t.dtype);
  traceOp(op, [t], out, { shape: s });
  return record(op, out, [t], (g) => [g.reshape(t.shape)]);
}

tensorHooks.clone = clone;
tensorHooks.reshape = reshape;
