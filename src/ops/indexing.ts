import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, type Tensor } from '../tensor.js';
import { liveTensor, normDim } from './args.js';
import { copyOf, zeros } from './basic.js';
import { checkIndexRange, indexArg, type IndexArg } from './index-arg.js';
import { copyLike, emptyLike, fillWord, numbersOf, wordsOf } from './raw-data.js';
import { contiguousStrides } from './strided.js';

/**
 * out[..., j, ...] = x[..., idx[j], ...] along dim d (idx[j] < 0: `fill`).
 * The gradient adds g's slices back at idx[j], in j order (a fixed order, so
 * repeated indices sum to the same bits every run). indexSelect and pad use it.
 */
export function takeAlongDim(op: string, x: Tensor, d: number, idx: Int32Array, fill = 0): Tensor {
  const outer = shapeSize(x.shape.slice(0, d));
  const n = x.shape[d];
  const inner = shapeSize(x.shape.slice(d + 1));
  const m = idx.length;
  const outShape = x.shape.slice();
  outShape[d] = m;
  const out = emptyLike(x, outShape, op);
  const src = wordsOf(x, op);
  const dst = wordsOf(out, op);
  const word = fillWord(x, fill);
  if (inner === 1) {
    // The last dim (padding a row, picking columns): runs of consecutive indices (a padded
    // row's middle) are block copies, the rest one element at a time.
    const runs = consecutiveRuns(idx);
    for (let o = 0; o < outer; o++) {
      const sb = o * n;
      const db = o * m;
      for (let r = 0; r < runs.length; r += 2) {
        const j0 = runs[r];
        const j1 = runs[r + 1];
        const k0 = idx[j0];
        if (j1 - j0 >= 16 && k0 >= 0) dst.set(src.subarray(sb + k0, sb + k0 + j1 - j0), db + j0);
        else for (let j = j0; j < j1; j++) dst[db + j] = idx[j] < 0 ? word : src[sb + idx[j]];
      }
    }
  } else for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = idx[j];
      const db = (o * m + j) * inner;
      if (k < 0) dst.fill(word, db, db + inner);
      else if (inner >= 16) dst.set(src.subarray((o * n + k) * inner, (o * n + k + 1) * inner), db);
      else for (let i = 0, sb = (o * n + k) * inner; i < inner; i++) dst[db + i] = src[sb + i];
    }
  }
  return record(op, out, [x], (g) => {
    const gx = zeros(x.shape.slice());
    const gv = g.view(op);
    const xv = gx.view(op);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const k = idx[j];
        if (k < 0) continue;
        const gb = (o * m + j) * inner;
        const xb = (o * n + k) * inner;
        for (let i = 0; i < inner; i++) xv[xb + i] += gv[gb + i];
      }
    }
    return [gx];
  });
}

/** [j0, j1, j0', j1', …]: maximal runs of idx where idx[j+1] = idx[j] + 1 (fills, -1, are runs of their own kind). */
function consecutiveRuns(idx: Int32Array): number[] {
  const runs: number[] = [];
  let j0 = 0;
  for (let j = 1; j <= idx.length; j++) {
    const breaks = j === idx.length || (idx[j] < 0 ? idx[j - 1] >= 0 : idx[j - 1] < 0 || idx[j] !== idx[j - 1] + 1);
    if (breaks) {
      runs.push(j0, j);
      j0 = j;
    }
  }
  return runs;
}

/** The entries of `x` at `index` (1-D int32) along `dim`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor | Int32Array | number[]): Tensor {
  const op = 'indexSelect';
  liveTensor(x, op, 'input');
  const d = normDim(dim, x.shape.length, op, x.shape);
  const idx = indexArg(index, op);
  check(idx.shape.length <= 1, op, () => `index must be 1-D, got shape ${fmtShape(idx.shape)}`);
  const n = x.shape.length === 0 ? 1 : x.shape[d];
  checkIndexRange(idx, n, op, () => `dim ${d} of input ${fmtShape(x.shape)}`);
  if (x.shape.length === 0) {
    check(idx.data.length === 1, op, () => `index for a 0-d input must hold one element, got ${idx.data.length}`);
    return copyOfRecorded(op, x);
  }
  return takeAlongDim(op, x, d, idx.data);
}

function copyOfRecorded(op: string, x: Tensor): Tensor {
  return record(op, copyLike(x, op), [x], (g) => [copyOf(g, op)]);
}

/**
 * For every position p of `shape` (row-major), Σ_{k≠skip} p_k·strides_k:
 * where p lands in a tensor with those strides, apart from the indexed dim.
 */
function offsets(shape: readonly number[], strides: readonly number[], skip: number): Int32Array {
  const out = new Int32Array(shapeSize(shape));
  const r = shape.length;
  const i = new Array<number>(r).fill(0);
  let off = 0;
  for (let p = 0; p < out.length; p++) {
    out[p] = off;
    for (let k = r - 1; k >= 0; k--) {
      i[k]++;
      if (k !== skip) off += strides[k];
      if (i[k] < shape[k]) break;
      if (k !== skip) off -= strides[k] * shape[k];
      i[k] = 0;
    }
  }
  return out;
}

/** Checks index against x (and src) as PyTorch's gather/scatter do; returns the normalised dim. */
function checkScatterIndex(op: string, x: Tensor, dim: number, idx: IndexArg, src?: Tensor): number {
  const r = x.shape.length;
  const d = normDim(dim, r, op, x.shape);
  check(idx.shape.length === r, op, () => `index ${fmtShape(idx.shape)} must have as many dims as input ${fmtShape(x.shape)}`);
  idx.shape.forEach((n, k) => check(k === d || n <= x.shape[k], op,
    () => `index ${fmtShape(idx.shape)} is larger than input ${fmtShape(x.shape)} at dim ${k} (only dim ${d} may differ)`));
  if (src) {
    check(src.shape.length === r, op, () => `src ${fmtShape(src.shape)} must have as many dims as input ${fmtShape(x.shape)}`);
    idx.shape.forEach((n, k) => check(n <= src.shape[k], op, () => `index ${fmtShape(idx.shape)} is larger than src ${fmtShape(src.shape)} at dim ${k}`));
  }
  checkIndexRange(idx, r === 0 ? 1 : x.shape[d], op, () => `dim ${d} of input ${fmtShape(x.shape)}`);
  return d;
}

/** out[p] = x[p with p_dim replaced by index[p]]; out has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor | Int32Array | number[]): Tensor {
  const op = 'gather';
  liveTensor(x, op, 'input');
  const idx = indexArg(index, op);
  const d = checkScatterIndex(op, x, dim, idx);
  const xs = contiguousStrides(x.shape);
  const sd = xs[d] ?? 1;
  const base = offsets(idx.shape, xs, d);
  const out = emptyLike(x, idx.shape, op);
  const src = wordsOf(x, op);
  const dst = wordsOf(out, op);
  const iv = idx.data;
  for (let p = 0; p < iv.length; p++) dst[p] = src[base[p] + iv[p] * sd];
  return record(op, out, [x], (g) => {
    // Scatter-add in index order: repeated indices sum the same way every run.
    const gx = zeros(x.shape.slice());
    const gv = g.view(op);
    const xv = gx.view(op);
    for (let p = 0; p < iv.length; p++) xv[base[p] + iv[p] * sd] += gv[p];
    return [gx];
  });
}

/**
 * A copy of x with src[p] added at (p with p_dim replaced by index[p]), for
 * every position p of index, in row-major order of index (fixed: same bits).
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor | Int32Array | number[], src: Tensor): Tensor {
  const op = 'scatterAdd';
  liveTensor(x, op, 'input');
  liveTensor(src, op, 'src');
  const xt = x.dtype;
  const st = src.dtype;
  check(xt === st && xt !== 'bool', op, () => `src (${st}) must have the dtype of input (${xt}), float32 or int32`);
  const idx = indexArg(index, op);
  const d = checkScatterIndex(op, x, dim, idx, src);
  const xs = contiguousStrides(x.shape);
  const ss = contiguousStrides(src.shape);
  const sd = xs[d] ?? 1;
  const base = offsets(idx.shape, xs, d);
  const srcAt = offsets(idx.shape, ss, -1);
  const iv = idx.data;
  const out = copyLike(x, op);
  const ov = numbersOf(out, op);
  const sv = numbersOf(src, op);
  for (let p = 0; p < iv.length; p++) ov[base[p] + iv[p] * sd] += sv[srcAt[p]];
  return record(op, out, [x, src], (g) => {
    let gSrc: Tensor | null = null;
    if (src.requiresGrad) {
      gSrc = zeros(src.shape.slice());
      const gv = g.view(op);
      const sv2 = gSrc.view(op);
      for (let p = 0; p < iv.length; p++) sv2[srcAt[p]] = gv[base[p] + iv[p] * sd];
    }
    return [x.requiresGrad ? copyOf(g, op) : null, gSrc];
  });
}
