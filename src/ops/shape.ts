import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape, SimdnnError } from '../errors.js';
import { sameShape, shapeSize, Tensor } from '../tensor.js';
import { floatTensor, liveTensor, normDim } from './args.js';
import { empty, reshape } from './basic.js';
import { launchElementwise } from './launch.js';
import { describe } from './matmul.js';

/**
 * How `small` broadcasts against `big`, if it does in the simple way we
 * support: small's shape, without leading 1s, is a suffix of big's shape (a
 * per-feature vector [C] against [N,C], a scalar-like [1] or [], an [H,W]
 * plane against NCHW). Returns the output shape, or null.
 */
function trailingBroadcast(big: readonly number[], small: readonly number[]): number[] | null {
  let k = 0;
  while (k < small.length && small[k] === 1) k++;
  const core = small.slice(k);
  if (core.length > big.length) return null;
  const off = big.length - core.length;
  if (!core.every((d, i) => d === big[off + i])) return null;
  return small.length > big.length ? [...small.slice(0, small.length - big.length), ...big] : big.slice();
}

/**
 * a + b, differentiable. Same shapes (residual connections), or one operand
 * broadcast along leading dimensions as PyTorch would (see trailingBroadcast);
 * anything else is rejected rather than guessed.
 */
export function add(a: Tensor, b: Tensor): Tensor {
  const op = 'add';
  floatTensor(a, op, 'a');
  floatTensor(b, op, 'b');
  if (sameShape(a.shape, b.shape)) {
    const out = empty(a.shape, op);
    launchElementwise('add', [a.ptr(op), b.ptr(op), out.ptr(), a.size], a.size);
    traceOp(op, [a, b], out);
    return record(op, out, [a, b], (g) => [g, g]);
  }
  let outShape = trailingBroadcast(a.shape, b.shape);
  let bigIsA = true;
  if (outShape === null) {
    const alt = trailingBroadcast(b.shape, a.shape);
    if (alt !== null) {
      outShape = alt;
      bigIsA = false;
    }
  }
  if (outShape === null) {
    throw new SimdnnError(op, `shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} differ; add takes equal shapes or one operand broadcast over leading dimensions (e.g. [C] with [N,C], [1] with anything)`);
  }
  const big = bigIsA ? a : b;
  const small = bigIsA ? b : a;
  const n = big.size;
  const m = small.size;
  const out = empty(outShape, op);
  if (n > 0) launchElementwise('addRepeat', [big.ptr(op), small.ptr(op), out.ptr(), n, m], n);
  traceOp(op, [a, b], out);
  return record(op, out, [a, b], (g) => {
    const gBig = !big.requiresGrad ? null : sameShape(g.shape, big.shape) ? g : reshape(g, big.shape);
    let gSmall: Tensor | null = null;
    if (small.requiresGrad) {
      gSmall = empty(small.shape, op);
      launchElementwise('sumRepeat', [g.ptr(op), gSmall.ptr(), m === 0 ? 0 : n / m, m], n);
    }
    return bigIsA ? [gBig, gSmall] : [gSmall, gBig];
  });
}

/** Joins tensors along `dim` (negative counts from the end); all other sizes must match. */
export function concat(tensors: Tensor[], dim: number): Tensor {
  const op = 'concat';
  check(Array.isArray(tensors) && tensors.length > 0, op, () => `tensors must be a non-empty array of Tensors, got ${Array.isArray(tensors) ? 'an empty array' : describe(tensors)}`);
  tensors.forEach((t, i) => liveTensor(t, op, `tensors[${i}]`));
  const first = tensors[0].shape;
  check(first.length >= 1, op, 'cannot concatenate 0-d tensors');
  const d = normDim(dim, first.length, op, first);
  tensors.forEach((t, i) => {
    const ok = t.shape.length === first.length && t.shape.every((s, k) => k === d || s === first[k]);
    check(ok, op, () => `tensors[${i}] ${fmtShape(t.shape)} does not match tensors[0] ${fmtShape(first)} outside dim ${d}`);
  });
  const outer = shapeSize(first.slice(0, d));
  const inner = shapeSize(first.slice(d + 1));
  const total = tensors.reduce((s, t) => s + t.shape[d], 0);
  const outShape = first.slice();
  outShape[d] = total;
  const out = empty(outShape, op);
  const rowOut = total * inner;
  let off = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(off);
    const row = t.shape[d] * inner;
    if (t.size > 0) launchElementwise('copyRows', [t.ptr(op), out.ptr() + 4 * off * inner, outer, row, row, rowOut], t.size);
    off += t.shape[d];
  }
  traceOp(op, tensors, out, { dim: d });
  return record(op, out, tensors, (g) => tensors.map((t, i) => {
    if (!t.requiresGrad) return null;
    const gt = empty(t.shape, op);
    const row = t.shape[d] * inner;
    if (t.size > 0) launchElementwise('copyRows', [g.ptr(op) + 4 * offsets[i] * inner, gt.ptr(), outer, row, rowOut, row], t.size);
    return gt;
  }));
}

/** Collapses dims startDim.. into one (a view; negative startDim counts from the end). */
export function flatten(x: Tensor, startDim = 1): Tensor {
  const op = 'flatten';
  liveTensor(x, op, 'input');
  const d = normDim(startDim, x.shape.length, op, x.shape, 'startDim');
  if (x.shape.length === 0) return reshape(x, [1]);
  return reshape(x, [...x.shape.slice(0, d), shapeSize(x.shape.slice(d))]);
}
