import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { liveTensor, normDim } from './args.js';
import { zeros } from './basic.js';
import { emptyLike, wordsOf } from './raw-data.js';
import { contiguousStrides, stridedCopy } from './strided.js';

/**
 * A regular sub-grid of x: out[i] = x[offset + Σ i_k·strides_k] (elements).
 * The positions never overlap, so the gradient is g copied back into zeros.
 */
function take(op: string, x: Tensor, outShape: number[], offset: number, strides: number[]): Tensor {
  const out = emptyLike(x, outShape, op);
  stridedCopy(outShape, wordsOf(x, op), offset, strides, wordsOf(out, op), 0, contiguousStrides(outShape));
  return record(op, out, [x], (g) => {
    const gx = zeros(x.shape.slice());
    stridedCopy(outShape, wordsOf(g, op), 0, contiguousStrides(outShape), wordsOf(gx, op), offset, strides);
    return [gx];
  });
}

function intArg(v: unknown, op: string, name: string): number {
  check(typeof v === 'number' && Number.isInteger(v), op, () => `${name} must be an integer, got ${String(v)}`);
  return v;
}

function dimOf(x: Tensor, dim: unknown, op: string): number {
  check(x.shape.length > 0, op, () => `input must have at least one dim, got a 0-d tensor ${fmtShape(x.shape)}`);
  return normDim(dim, x.shape.length, op, x.shape);
}

/** Elements start..start+length-1 along `dim` (start may count from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const op = 'narrow';
  liveTensor(x, op, 'input');
  const d = dimOf(x, dim, op);
  const n = x.shape[d];
  let s = intArg(start, op, 'start');
  intArg(length, op, 'length');
  check(s >= -n && s <= n, op, () => `start ${start} is out of range for dim ${d} of size ${n} (input ${fmtShape(x.shape)})`);
  if (s < 0) s += n;
  check(length >= 0 && s + length <= n, op, () => `start ${start} + length ${length} exceeds dim ${d} of size ${n} (input ${fmtShape(x.shape)})`);
  const st = contiguousStrides(x.shape);
  const outShape = x.shape.slice();
  outShape[d] = length;
  return take(op, x, outShape, s * st[d], st);
}

/**
 * Python's x[..., start:end:step, ...] along `dim`: start/end may be negative
 * (from the end) or out of range (clamped); step ≥ 1. Omitted start/end are 0/size.
 */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const op = 'slice';
  liveTensor(x, op, 'input');
  const d = dimOf(x, dim, op);
  const n = x.shape[d];
  const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = start === undefined ? 0 : clamp(intArg(start, op, 'start'));
  const e = end === undefined ? n : clamp(intArg(end, op, 'end'));
  intArg(step, op, 'step');
  check(step >= 1, op, () => `step must be positive, got ${step}`);
  const st = contiguousStrides(x.shape);
  const outShape = x.shape.slice();
  outShape[d] = e > s ? Math.ceil((e - s) / step) : 0;
  const strides = st.slice();
  strides[d] = st[d] * step;
  return take(op, x, outShape, s * st[d], strides);
}

/** The slice at `index` along `dim`, with that dim removed (index may count from the end). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const op = 'select';
  liveTensor(x, op, 'input');
  const d = dimOf(x, dim, op);
  const n = x.shape[d];
  let i = intArg(index, op, 'index');
  check(i >= -n && i < n, op, () => `index ${index} is out of range for dim ${d} of size ${n} (input ${fmtShape(x.shape)})`);
  if (i < 0) i += n;
  const st = contiguousStrides(x.shape);
  return take(op, x, x.shape.filter((_, k) => k !== d), i * st[d], st.filter((_, k) => k !== d));
}
