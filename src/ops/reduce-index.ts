import { noGrad, record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { boolOption, checkOptions, liveTensor, normDim } from './args.js';
import { empty } from './basic.js';
import { around } from './reduce-dims.js';
import { amax, amin } from './reduce.js';

/**
 * Ordering used by max/min/argmax/topk/sort: NaN is greater than every number
 * (torch propagates NaN through max and sorts it last ascending); ties keep
 * the lower index (first occurrence).
 */
function greater(a: number, b: number): boolean {
  if (a !== a) return b === b;
  return a > b;
}

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** The gradient of values selected at `indices` along dim: g scattered back, zeros elsewhere. */
function scatterBack(g: Tensor, indices: Tensor, x: Tensor, d: number, op: string): Tensor {
  const gx = empty(x.shape, op);
  const out = gx.view(op);
  out.fill(0);
  const gv = g.view(op);
  const iv = indices.viewInt32(op);
  const { outer, len, inner } = around(x.shape, d);
  const k = indices.size / Math.max(1, outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < inner; i++) {
        const src = (o * k + j) * inner + i;
        out[(o * len + iv[src]) * inner + i] += gv[src];
      }
    }
  }
  return gx;
}

function dimArgs(x: Tensor, dim: number, keepdim: unknown, op: string): { d: number; outShape: number[] } {
  check(keepdim === undefined || typeof keepdim === 'boolean', op, () => `keepdim must be true or false, got ${String(keepdim)}`);
  const d = normDim(dim, x.shape.length, op, x.shape);
  check(x.shape.length === 0 || x.shape[d] > 0, op, () => `cannot reduce over dim ${d} of size 0 (input ${fmtShape(x.shape)})`);
  const outShape = x.shape.slice();
  if (outShape.length > 0) {
    if (keepdim) outShape[d] = 1;
    else outShape.splice(d, 1);
  }
  return { d, outShape };
}

function extremeDim(isMax: boolean, x: Tensor, d: number, outShape: number[], op: string): ValuesIndices {
  const { outer, len, inner } = around(x.shape, d);
  const values = empty(outShape, op, x.dtype);
  const indices = empty(outShape, op, 'int32');
  const xv = x.viewAny(op);
  const vv = values.viewAny(op);
  const iv = indices.viewInt32(op);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = o * len * inner + i;
      let bj = 0;
      for (let j = 1; j < len; j++) {
        const at = (o * len + j) * inner + i;
        if (xv[best] !== xv[best]) break; // NaN wins and stays (first NaN)
        if (isMax ? greater(xv[at], xv[best]) : greater(xv[best], xv[at]) || xv[at] !== xv[at]) {
          best = at;
          bj = j;
        }
      }
      vv[o * inner + i] = xv[best];
      iv[o * inner + i] = bj;
    }
  }
  if (x.dtype !== 'float32') return { values, indices };
  const rec = record(op, values, [x], (g) => noGrad(() => [scatterBack(g, indices, x, d, op)]));
  return { values: rec, indices };
}

/** With no dim: the largest value as a 0-d tensor (gradient split among ties, as torch). With dim: `{ values, indices }` (first index among ties; NaN wins). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(xIn: Tensor, dim?: number, keepdim?: boolean): Tensor | ValuesIndices {
  const x = liveTensor(xIn, 'max', 'input');
  if (dim === undefined) return amaxAll(x, 'max');
  const { d, outShape } = dimArgs(x, dim, keepdim, 'max');
  return extremeDim(true, x, d, outShape, 'max');
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(xIn: Tensor, dim?: number, keepdim?: boolean): Tensor | ValuesIndices {
  const x = liveTensor(xIn, 'min', 'input');
  if (dim === undefined) return amaxAll(x, 'min');
  const { d, outShape } = dimArgs(x, dim, keepdim, 'min');
  return extremeDim(false, x, d, outShape, 'min');
}

function amaxAll(x: Tensor, op: 'max' | 'min'): Tensor {
  check(x.size > 0, op, () => `the input ${fmtShape(x.shape)} is empty: ${op}() without dim needs at least one element`);
  return op === 'max' ? amax(x) : amin(x);
}

function argExtreme(isMax: boolean, xIn: Tensor, dim: number | undefined | null, keepdim: boolean | undefined, op: string): Tensor {
  const x = liveTensor(xIn, op, 'input');
  if (dim === undefined || dim === null) {
    // Over the flattened input (torch); keepdim gives all dims of size 1.
    check(x.size > 0, op, () => `the input ${fmtShape(x.shape)} is empty`);
    const flat = new Tensor([x.size], x.storage, op, x.dtype);
    const r = extremeDim(isMax, flat, 0, [], op);
    flat.dispose();
    r.values.dispose();
    if (!keepdim) return r.indices;
    const shaped = new Tensor(x.shape.map(() => 1), r.indices.storage, op, 'int32');
    r.indices.dispose();
    return shaped;
  }
  const { d, outShape } = dimArgs(x, dim, keepdim, op);
  const r = extremeDim(isMax, x, d, outShape, op);
  r.values.dispose();
  return r.indices;
}

/** Index of the largest value (int32; first among ties; NaN counts as largest), over `dim` or the flattened input. */
export const argmax = (x: Tensor, dim?: number | null, keepdim?: boolean): Tensor => argExtreme(true, x, dim, keepdim, 'argmax');
export const argmin = (x: Tensor, dim?: number | null, keepdim?: boolean): Tensor => argExtreme(false, x, dim, keepdim, 'argmin');

/** Sorted index order of one line of `len` values (stable: ties keep index order). */
function order(xv: ArrayLike<number>, base: number, len: number, inner: number, descending: boolean): number[] {
  const idx = Array.from({ length: len }, (_, j) => j);
  idx.sort((p, q) => {
    const a = xv[base + p * inner];
    const b = xv[base + q * inner];
    if (greater(a, b)) return descending ? -1 : 1;
    if (greater(b, a)) return descending ? 1 : -1;
    return p - q;
  });
  return idx;
}

function selectAlong(x: Tensor, d: number, k: number, descending: boolean, op: string): ValuesIndices {
  const shape = x.shape.slice();
  if (shape.length > 0) shape[d] = k;
  const { outer, len, inner } = around(x.shape, d);
  const values = empty(shape, op, x.dtype);
  const indices = empty(shape, op, 'int32');
  const xv = x.viewAny(op);
  const vv = values.viewAny(op);
  const iv = indices.viewInt32(op);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      const idx = order(xv, base, len, inner, descending);
      for (let j = 0; j < k; j++) {
        vv[(o * k + j) * inner + i] = xv[base + idx[j] * inner];
        iv[(o * k + j) * inner + i] = idx[j];
      }
    }
  }
  if (x.dtype !== 'float32') return { values, indices };
  const rec = record(op, values, [x], (g) => noGrad(() => [scatterBack(g, indices, x, d, op)]));
  return { values: rec, indices };
}

export interface TopkOptions {
  /** The k largest (default) or smallest. */
  largest?: boolean;
  /** In order (always true here: the result is sorted either way, which torch allows). */
  sorted?: boolean;
}

/** The k largest (or smallest) values along `dim` (default the last) and their int32 indices; ties keep the lower index first. */
export function topk(xIn: Tensor, k: number, dim = -1, opts?: TopkOptions): ValuesIndices {
  const op = 'topk';
  const x = liveTensor(xIn, op, 'input');
  const o = checkOptions(opts, op, ['largest', 'sorted']);
  const largest = boolOption(o.largest, true, op, 'largest');
  boolOption(o.sorted, true, op, 'sorted');
  const d = normDim(dim, x.shape.length, op, x.shape);
  const size = x.shape.length === 0 ? 1 : x.shape[d];
  check(Number.isInteger(k) && k >= 0 && k <= size, op, () => `k must be an integer in [0, ${size}] (the size of dim ${d} of input ${fmtShape(x.shape)}), got ${String(k)}`);
  return selectAlong(x, d, k, largest, op);
}

export interface SortOptions {
  descending?: boolean;
}

/** Sorts along `dim` (default the last), stably; NaN sorts as the largest value. Returns values and int32 indices. */
export function sort(xIn: Tensor, dim = -1, opts?: SortOptions): ValuesIndices {
  const op = 'sort';
  const x = liveTensor(xIn, op, 'input');
  const o = checkOptions(opts, op, ['descending']);
  const descending = boolOption(o.descending, false, op, 'descending');
  const d = normDim(dim, x.shape.length, op, x.shape);
  return selectAlong(x, d, x.shape.length === 0 ? 1 : x.shape[d], descending, op);
}

/** Running sum along `dim` (float64 accumulator, as torch's CPU cumsum); int32 sums wrap. Differentiable (reverse cumsum). */
export function cumsum(xIn: Tensor, dim: number): Tensor {
  const op = 'cumsum';
  const x = liveTensor(xIn, op, 'input');
  const d = normDim(dim, x.shape.length, op, x.shape);
  const out = empty(x.shape, op, x.dtype === 'float32' ? 'float32' : 'int32');
  scan(x.viewAny(op), out.viewAny(op), x.shape, d, false, x.dtype !== 'float32');
  if (x.dtype !== 'float32') return out;
  return record(op, out, [x], (g) => noGrad(() => {
    const gx = empty(x.shape, op);
    scan(g.view(op), gx.view(op), x.shape, d, true, false);
    return [gx];
  }));
}

function scan(src: ArrayLike<number>, dst: Float32Array | Int32Array | Uint8Array, shape: readonly number[], d: number, reverse: boolean, int: boolean): void {
  const { outer, len, inner } = around(shape, d);
  if (shapeSize(shape) === 0) return;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let t = 0; t < len; t++) {
        const j = reverse ? len - 1 - t : t;
        const at = (o * len + j) * inner + i;
        s = int ? (s + src[at]) | 0 : s + src[at];
        dst[at] = s;
      }
    }
  }
}
