import { check, checkKnownKeys, fmtShape, SimdnnError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { describe } from './matmul.js';

/** Throws unless `x` is a live Tensor (a released one names `op`); returns its address. */
export function liveTensor(x: unknown, op: string, arg: string): Tensor {
  check(x instanceof Tensor, op, () => `${arg} must be a Tensor, got ${describe(x)}`);
  x.ptr(op);
  return x;
}

/** `opts` must be a plain object with only the `allowed` keys (typos are errors, not ignored). */
export function checkOptions(opts: unknown, op: string, allowed: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new SimdnnError(op, `options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  }
  checkKnownKeys(op, opts, allowed);
  return opts as Record<string, unknown>;
}

/** A finite number option (`undefined` gives `dflt`), optionally within [lo, hi]. */
export function numberOption(v: unknown, dflt: number, op: string, name: string, lo = -Infinity, hi = Infinity): number {
  if (v === undefined) return dflt;
  check(typeof v === 'number' && Number.isFinite(v), op, () => `${name} must be a finite number, got ${String(v)}`);
  check(v >= lo && v <= hi, op, () => `${name} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

export function boolOption(v: unknown, dflt: boolean, op: string, name: string): boolean {
  if (v === undefined) return dflt;
  check(typeof v === 'boolean', op, () => `${name} must be true or false, got ${String(v)}`);
  return v;
}

/** A dimension index in [-rank, rank) (PyTorch's negative dims), as a non-negative index. */
export function normDim(dim: unknown, rank: number, op: string, shape: readonly number[], arg = 'dim'): number {
  const r = Math.max(rank, 1); // a 0-d tensor has one addressable dim, as in PyTorch
  check(typeof dim === 'number' && Number.isInteger(dim), op, () => `${arg} must be an integer, got ${String(dim)}`);
  check(dim >= -r && dim < r, op, () => `${arg} ${dim} is out of range for input ${fmtShape(shape)} (expected in [${-r}, ${r - 1}])`);
  return dim < 0 ? dim + r : dim;
}

/**
 * Throws unless `x` is a float32 tensor: the one check every float-only op
 * (conv2d, linear, pools, activations, softmax, batchNorm, losses…) makes, so
 * an int32 or bool tensor gets 'relu: input must be float32, got int32 tensor [2,3]'
 * rather than its bits read as floats.
 */
export function requireFloat(x: Tensor, op: string, arg: string): void {
  if (x.dtype !== 'float32') throw new SimdnnError(op, `${arg} must be float32, got ${x.dtype} tensor ${fmtShape(x.shape)}`);
}

/** `liveTensor` for float-only ops: a live float32 Tensor. */
export function floatTensor(x: unknown, op: string, arg: string): Tensor {
  const t = liveTensor(x, op, arg);
  requireFloat(t, op, arg);
  return t;
}
