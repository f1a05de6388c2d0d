import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, type Tensor } from '../tensor.js';
import { liveTensor, normDim } from './args.js';
import { unsqueeze } from './dims.js';
import { describe } from './matmul.js';
import { emptyLike, wordsOf } from './raw-data.js';
import { narrow } from './slicing.js';
import { stridedCopy } from './strided.js';

function tensorList(tensors: unknown, op: string): Tensor[] {
  check(Array.isArray(tensors) && tensors.length > 0, op,
    () => `tensors must be a non-empty array of Tensors, got ${Array.isArray(tensors) ? 'an empty array' : describe(tensors)}`);
  tensors.forEach((t, i) => liveTensor(t, op, `tensors[${i}]`));
  const dt = (t: Tensor) => t.dtype;
  tensors.forEach((t: Tensor, i) => check(dt(t) === dt(tensors[0]), op, () => `tensors[${i}] is ${dt(t)} but tensors[0] is ${dt(tensors[0])}`));
  return tensors as Tensor[];
}

/** Joins tensors along an existing dim (negative counts from the end); all other sizes must match. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  const op = 'cat';
  const ts = tensorList(tensors, op);
  const first = ts[0].shape;
  check(first.length >= 1, op, 'zero-dimensional tensors cannot be concatenated (use stack)');
  const d = normDim(dim, first.length, op, first);
  ts.forEach((t, i) => check(t.shape.length === first.length && t.shape.every((s, k) => k === d || s === first[k]), op,
    () => `tensors[${i}] ${fmtShape(t.shape)} does not match tensors[0] ${fmtShape(first)} outside dim ${d}`));
  const outer = shapeSize(first.slice(0, d));
  const inner = shapeSize(first.slice(d + 1));
  const outShape = first.slice();
  outShape[d] = ts.reduce((s, t) => s + t.shape[d], 0);
  const rowOut = outShape[d] * inner;
  const out = emptyLike(ts[0], outShape, op);
  const starts: number[] = [];
  let at = 0;
  for (const t of ts) {
    starts.push(at);
    const row = t.shape[d] * inner;
    // Rows of each input land at column `at` of the output's rows.
    stridedCopy([outer, row], wordsOf(t, op), 0, [row, 1], wordsOf(out, op), at * inner, [rowOut, 1]);
    at += t.shape[d];
  }
  return record(op, out, ts, (g) => ts.map((t, i) => {
    if (!t.requiresGrad) return null;
    const gt = emptyLike(g, t.shape.slice(), op);
    const row = t.shape[d] * inner;
    stridedCopy([outer, row], wordsOf(g, op), starts[i] * inner, [rowOut, 1], wordsOf(gt, op), 0, [row, 1]);
    return gt;
  }));
}

/** Joins equal-shaped tensors along a new dim (in [-rank-1, rank]). */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  const op = 'stack';
  const ts = tensorList(tensors, op);
  const first = ts[0].shape;
  ts.forEach((t, i) => check(t.shape.length === first.length && t.shape.every((s, k) => s === first[k]), op,
    () => `tensors[${i}] ${fmtShape(t.shape)} differs from tensors[0] ${fmtShape(first)}`));
  const d = normDim(dim, first.length + 1, op, first);
  return cat(ts.map((t) => unsqueeze(t, d)), d);
}

/**
 * Pieces along `dim`: of `sizeOrSizes` each (the last may be smaller), or of
 * the listed sizes (which must add up to the dim's size).
 */
export function split(x: Tensor, sizeOrSizes: number | number[], dim = 0): Tensor[] {
  const op = 'split';
  liveTensor(x, op, 'input');
  check(x.shape.length > 0, op, 'cannot split a 0-d tensor');
  const d = normDim(dim, x.shape.length, op, x.shape);
  const n = x.shape[d];
  let sizes: number[];
  if (Array.isArray(sizeOrSizes)) {
    sizeOrSizes.forEach((s, i) => check(Number.isInteger(s) && s >= 0, op, () => `sizes[${i}] must be a non-negative integer, got ${String(s)}`));
    const total = sizeOrSizes.reduce((a, b) => a + b, 0);
    check(total === n, op, () => `sizes ${fmtShape(sizeOrSizes)} add up to ${total}, not to dim ${d} of size ${n} (input ${fmtShape(x.shape)})`);
    sizes = sizeOrSizes.slice();
  } else {
    const s = sizeOrSizes;
    check(Number.isInteger(s) && (s > 0 || (s === 0 && n === 0)), op, () => `split size must be a positive integer, got ${String(s)}`);
    sizes = [];
    for (let at = 0; at < n; at += s) sizes.push(Math.min(s, n - at));
    if (n === 0) sizes.push(0);
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, at, s));
    at += s;
  }
  return out;
}

/** Splits into at most `chunks` pieces of ceil(size / chunks) along `dim`, as PyTorch. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const op = 'chunk';
  liveTensor(x, op, 'input');
  check(Number.isInteger(chunks) && chunks > 0, op, () => `chunks must be a positive integer, got ${String(chunks)}`);
  check(x.shape.length > 0, op, 'cannot chunk a 0-d tensor');
  const d = normDim(dim, x.shape.length, op, x.shape);
  const n = x.shape[d];
  return split(x, n === 0 ? new Array<number>(chunks).fill(0) : Math.ceil(n / chunks), d); // an empty dim: `chunks` empty pieces, as PyTorch
}
