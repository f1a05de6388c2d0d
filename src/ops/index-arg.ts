import { check, fmtShape, SimdnnError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { describe } from './matmul.js';

/** An index argument read into JS: its shape and values (a copy, so it survives allocations). */
export interface IndexArg {
  shape: number[];
  data: Int32Array;
}

/**
 * Index arguments are int32 tensors; an Int32Array or number[] is taken as a
 * 1-D index for convenience. Anything else (a float tensor, fractional
 * numbers) is rejected: silently truncating an index hides bugs.
 */
export function indexArg(index: unknown, op: string, arg = 'index'): IndexArg {
  if (index instanceof Tensor) {
    const dtype = index.dtype;
    check(dtype === 'int32', op, () => `${arg} must be an int32 tensor, got a ${dtype} tensor ${fmtShape(index.shape)}`);
    const p = index.ptr(op);
    return { shape: index.shape.slice(), data: index.storage.heapOf(op).i32.slice(p >>> 2, (p >>> 2) + index.size) };
  }
  if (index instanceof Int32Array) return { shape: [index.length], data: index.slice() };
  if (Array.isArray(index)) {
    index.forEach((v, i) => check(Number.isInteger(v) && Math.abs(v) < 2 ** 31, op, () => `${arg}[${i}] must be an integer, got ${String(v)}`));
    return { shape: [index.length], data: Int32Array.from(index) };
  }
  throw new SimdnnError(op, `${arg} must be an int32 tensor, Int32Array or number[], got ${describe(index)}`);
}

/** Throws naming the first index outside [0, n). */
export function checkIndexRange(idx: IndexArg, n: number, op: string, what: () => string, arg = 'index'): void {
  const d = idx.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    check(v >= 0 && v < n, op, () => `${arg}[${i}] = ${v} is out of range [0, ${n}) for ${what()}`);
  }
}
