import { kernels } from '../runtime/kernel-calls.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { liveTensor, normDim } from './args.js';
import { empty, reshape } from './basic.js';
import { elementwiseThreads } from './launch.js';
import { describe } from './matmul.js';

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
    if (t.size > 0) kernels.copyRows({
      src: t.ptr(op), dst: out.ptr() + 4 * off * inner, rows: outer, rowFloats: row, srcStride: row, dstStride: rowOut,
    }, elementwiseThreads(t.size));
    off += t.shape[d];
  }
  traceOp(op, tensors, out, { dim: d });
  return record(op, out, tensors, (g) => tensors.map((t, i) => {
    if (!t.requiresGrad) return null;
    const gt = empty(t.shape, op);
    const row = t.shape[d] * inner;
    if (t.size > 0) kernels.copyRows({
      src: g.ptr(op) + 4 * offsets[i] * inner, dst: gt.ptr(), rows: outer, rowFloats: row, srcStride: rowOut, dstStride: row,
    }, elementwiseThreads(t.size));
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
