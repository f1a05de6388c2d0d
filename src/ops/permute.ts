import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { traceOp } from '../trace.js';
import { liveTensor, normDim } from './args.js';
import { emptyLike, wordsOf } from './raw-data.js';
import { contiguousStrides, stridedCopy } from './strided.js';

/** out = x with its dims reordered: out.shape[k] = x.shape[perm[k]] (a copy: tensors are contiguous). */
function reorder(op: string, x: Tensor, perm: number[]): Tensor {
  const outShape = perm.map((d) => x.shape[d]);
  const xStrides = contiguousStrides(x.shape);
  const out = emptyLike(x, outShape, op);
  stridedCopy(outShape, wordsOf(x, op), 0, perm.map((d) => xStrides[d]), wordsOf(out, op), 0, contiguousStrides(outShape));
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, k) => (inverse[d] = k));
  return record(op, out, [x], (g) => [reorder(op, g, inverse)]);
}

/** Reorders the dims: `permute(x, [0, 2, 3, 1])` turns NCHW into NHWC. Negative dims count from the end. */
export function permute(x: Tensor, dims: number[]): Tensor {
  const op = 'permute';
  liveTensor(x, op, 'input');
  const r = x.shape.length;
  check(Array.isArray(dims), op, () => `dims must be an array of dims, got ${String(dims)}`);
  check(dims.length === r, op, () => `dims ${fmtShape(dims)} must name each of the ${r} dims of input ${fmtShape(x.shape)} once`);
  const perm = dims.map((d, k) => normDim(d, r, op, x.shape, `dims[${k}]`));
  check(new Set(perm).size === r, op, () => `dims ${fmtShape(dims)} repeats a dim (input ${fmtShape(x.shape)})`);
  const out = reorder(op, x, perm);
  traceOp(op, [x], out, { perm });
  return out;
}

/** Swaps two dims (a copy). A 0-d or 1-D tensor comes back as a copy of itself. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const op = 'transpose';
  liveTensor(x, op, 'input');
  const r = x.shape.length;
  const a = normDim(dim0, r, op, x.shape, 'dim0');
  const b = normDim(dim1, r, op, x.shape, 'dim1');
  const perm = Array.from({ length: r }, (_, k) => k);
  if (r > 0) [perm[a], perm[b]] = [perm[b], perm[a]];
  const out = reorder(op, x, perm);
  traceOp(op, [x], out, { perm });
  return out;
}
