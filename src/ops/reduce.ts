import { REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_SUM } from '../runtime/kernel-table.generated.js';
import { kernels } from '../runtime/kernel-calls.js';
import { noGrad, record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { checkOptions, liveTensor, requireFloat } from './args.js';
import { empty, reshape } from './basic.js';
import { broadcastStrides, forEachBroadcast } from './broadcast.js';
import { add, div, expandTo, floatBinary, pow, sub } from './elementwise.js';
import { elementwiseThreads } from './launch.js';
import { axisSteps, reduceDims, reducedShape } from './reduce-dims.js';
import { abs, exp, log, sqrt, square, unaryFloat } from './unary.js';

/** Reduction op codes shared with assembly/reduce.ts. */
const KIND = { sum: REDUCE_SUM, amax: REDUCE_MAX, amin: REDUCE_MIN, prod: REDUCE_PROD } as const;
type KindName = keyof typeof KIND;

/** A long all-dims sum is split into fixed blocks of this many floats (partials added in order): threads share it, bits do not change. */
const SUM_BLOCK = 1 << 16;

/** Float32 reduction of `dims` in wasm; returns the keepdim-shaped result (no autograd). `mean` scales each step by 1/len. */
function floatReduce(kind: KindName, x: Tensor, dims: number[], op: string, mean = false): Tensor {
  let cur = x;
  let shape = x.shape.slice();
  for (const step of axisSteps(x.shape, dims)) {
    const next = shape.slice();
    for (let d = step.first; d <= step.last; d++) next[d] = 1;
    const out = empty(next, op);
    const scale = mean ? 1 / step.len : 1;
    const n = step.outer * step.len * step.inner;
    if (kind === 'sum' && step.outer === 1 && step.inner === 1 && step.len >= 2 * SUM_BLOCK) blockSum(cur, out, step.len, scale, op);
    else if (out.size > 0) kernels.reduceAxis({
      kind: KIND[kind], x: cur.ptr(op), out: out.ptr(), outer: step.outer, len: step.len, inner: step.inner, scale,
    }, elementwiseThreads(n));
    if (cur !== x) cur.dispose();
    cur = out;
    shape = next;
  }
  return cur === x ? floatBinary('mul', x, 1, op) : cur;
}

/** Σ over `dims` of a float32 tensor, keepdim-shaped, outside autograd (broadcast gradients use it). */
export function reduceSum(x: Tensor, dims: number[], op: string): Tensor {
  return floatReduce('sum', x, dims, op);
}

function blockSum(x: Tensor, out: Tensor, len: number, scale: number, op: string): void {
  const nb = Math.ceil(len / SUM_BLOCK);
  const partials = empty([2 * nb], op); // float64 partials in a float32 tensor's 8·nb bytes
  try {
    kernels.sumBlocks({ x: x.ptr(op), partials: partials.ptr(), len, block: SUM_BLOCK }, elementwiseThreads(len));
    const buf = partials.storage.heapOf(op).memory.buffer;
    const p = new Float64Array(buf, partials.ptr(op), nb);
    let s = 0;
    for (let b = 0; b < nb; b++) s += p[b];
    out.view(op)[0] = s * scale;
  } finally {
    partials.dispose();
  }
}

/** int32 (and bool, as 0/1 ints) reductions in JS; sums wrap at 32 bits (simdnn has no int64). */
function intReduce(kind: KindName, x: Tensor, dims: number[], op: string): Tensor {
  const keep = reducedShape(x.shape, dims, true);
  const out = empty(keep, op, 'int32');
  const init = kind === 'sum' ? 0 : kind === 'prod' ? 1 : kind === 'amax' ? -2147483648 : 2147483647;
  const ov = out.viewInt32(op);
  ov.fill(init);
  const xv = x.viewAny(op);
  const str = broadcastStrides(keep, x.shape);
  forEachBroadcast(x.shape, str, str, (i, o) => {
    const v = xv[i];
    const a = ov[o];
    ov[o] = kind === 'sum' ? (a + v) | 0 : kind === 'prod' ? Math.imul(a, v) : kind === 'amax' ? Math.max(a, v) : Math.min(a, v);
  });
  return out;
}

/** dim/keepdim arguments as the reductions take them. */
function dimsOf(x: Tensor, dim: unknown, keepdim: unknown, op: string): { dims: number[]; keep: number[]; outShape: number[]; keepdim: boolean } {
  check(keepdim === undefined || typeof keepdim === 'boolean', op, () => `keepdim must be true or false, got ${String(keepdim)}`);
  const dims = reduceDims(dim, x.shape, op);
  const kd = keepdim === true;
  return { dims, keep: reducedShape(x.shape, dims, true), outShape: reducedShape(x.shape, dims, kd), keepdim: kd };
}

function finish(t: Tensor, outShape: number[]): Tensor {
  if (t.shape.length === outShape.length && t.shape.every((d, i) => d === outShape[i])) return t;
  const v = new Tensor(outShape, t.storage, 'reshape', t.dtype);
  t.dispose(); // the view keeps the memory
  return v;
}

/** Runs fn on `t` seen with `shape` (a temporary view, released afterwards). */
function withShape<T>(t: Tensor, shape: number[], fn: (v: Tensor) => T): T {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return fn(t);
  const v = new Tensor(shape, t.storage, 'reshape', t.dtype);
  try {
    return fn(v);
  } finally {
    v.dispose();
  }
}

function countOf(x: Tensor, dims: number[]): number {
  return dims.reduce((n, d) => n * x.shape[d], 1);
}

/** Σ over `dim` (all dims when absent); float32 sums accumulate in float64 in a fixed order. */
export function sum(xIn: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor {
  const op = 'sum';
  const x = liveTensor(xIn, op, 'input');
  const { dims, keep, outShape } = dimsOf(x, dim, keepdim, op);
  if (x.dtype !== 'float32') return finish(intReduce('sum', x, dims, op), outShape);
  const r = finish(floatReduce('sum', x, dims, op), outShape);
  return record(op, r, [x], (g) => noGrad(() => withShape(g, keep, (gk) => [expandTo(gk, x, op)])));
}

/** The mean over `dim` (float32 only, as torch.mean); an empty reduction gives NaN. */
export function mean(xIn: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor {
  const op = 'mean';
  const x = liveTensor(xIn, op, 'input');
  requireFloat(x, op, 'input');
  const { dims, keep, outShape } = dimsOf(x, dim, keepdim, op);
  const r = finish(floatReduce('sum', x, dims, op, true), outShape);
  const n = countOf(x, dims);
  return record(op, r, [x], (g) => noGrad(() => {
    const scaled = withShape(g, keep, (gk) => floatBinary('mul', gk, 1 / n, op));
    const gx = expandTo(scaled, x, op);
    scaled.dispose();
    return [gx];
  }));
}

/** Π over one dim (or all); gradient exact with zeros (products of the others, float64). */
export function prod(xIn: Tensor, dim?: number | null, keepdim?: boolean): Tensor {
  const op = 'prod';
  const x = liveTensor(xIn, op, 'input');
  check(dim === undefined || dim === null || typeof dim === 'number', op, () => `dim must be one integer or absent (as torch.prod), got ${JSON.stringify(dim)}`);
  const { dims, outShape } = dimsOf(x, dim, keepdim, op);
  if (x.dtype !== 'float32') return finish(intReduce('prod', x, dims, op), outShape);
  const r = finish(floatReduce('prod', x, dims, op), outShape);
  return record(op, r, [x], (g) => noGrad(() => {
    const gx = empty(x.shape, op);
    const gv = g.view(op);
    const xv = x.view(op);
    const out = gx.view(op);
    // [outer, len, inner] around the reduced dims (one dim, or all: a single row).
    const len = countOf(x, dims);
    const inner = dims.length === 0 ? 1 : shapeSize(x.shape.slice(dims[dims.length - 1] + 1));
    const outer = len === 0 ? 0 : x.size / (len * inner);
    const pre = new Float64Array(len + 1);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        pre[0] = 1;
        for (let j = 0; j < len; j++) pre[j + 1] = pre[j] * xv[base + j * inner];
        let suf = 1;
        for (let j = len - 1; j >= 0; j--) {
          out[base + j * inner] = gv[o * inner + i] * pre[j] * suf;
          suf *= xv[base + j * inner];
        }
      }
    }
    return [gx];
  }));
}

/** max/min over dims, the gradient split evenly between ties (and NaNs), as torch.amax. */
function extreme(kind: 'amax' | 'amin', xIn: Tensor, dim: number | number[] | null | undefined, keepdim: boolean | undefined, op: string): Tensor {
  const x = liveTensor(xIn, op, 'input');
  const { dims, keep, outShape } = dimsOf(x, dim, keepdim, op);
  for (const d of dims) check(x.shape[d] > 0, op, () => `cannot reduce over dim ${d} of size 0 (input ${fmtShape(x.shape)}): there is no identity for ${kind}`);
  if (x.dtype !== 'float32') {
    const r = intReduce(kind, x, dims, op);
    if (x.dtype !== 'bool') return finish(r, outShape);
    const asBool = r.bool();
    r.dispose();
    return finish(asBool, outShape);
  }
  const r = finish(floatReduce(kind, x, dims, op), outShape);
  return record(op, r, [x], (g) => noGrad(() => {
    const ext = new Tensor(keep, r.storage, op);
    const mask = empty(x.shape, op);
    const mv = mask.view(op);
    const xv = x.view(op);
    const ev = ext.view(op);
    const str = broadcastStrides(keep, x.shape);
    forEachBroadcast(x.shape, str, str, (i, o) => {
      const v = xv[i];
      const e = ev[o];
      mv[i] = v === e || (v !== v && e !== e) ? 1 : 0;
    });
    const cnt = floatReduce('sum', mask, dims, op);
    const w = withShape(g, keep, (gk) => floatBinary('div', gk, cnt, op));
    const gx = floatBinary('mul', mask, w, op);
    for (const t of [ext, mask, cnt, w]) t.dispose();
    return [gx];
  }));
}

export const amax = (x: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor => extreme('amax', x, dim, keepdim, 'amax');
export const amin = (x: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor => extreme('amin', x, dim, keepdim, 'amin');

/** log Σ exp over dims, stable (shifted by the max; an infinite max shifts by 0, as torch). Differentiable (softmax). */
export function logsumexp(xIn: Tensor, dim?: number | number[] | null, keepdim?: boolean): Tensor {
  const op = 'logsumexp';
  const x = liveTensor(xIn, op, 'input');
  requireFloat(x, op, 'input');
  const { dims, outShape } = dimsOf(x, dim, keepdim, op);
  const m = noGrad(() => {
    const mx = floatReduce('amax', x, dims, op);
    const v = mx.view(op);
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) v[i] = 0;
    return mx;
  });
  const e = exp(sub(x, m));
  const s = sum(e, dims, true);
  const out = add(log(s), m);
  return out.shape.length === outShape.length ? out : reshape(out, outShape);
}

export interface VarOptions {
  /** Divide by N - correction (1: Bessel's unbiased estimate, the default; 0: the population variance). */
  correction?: number;
  keepdim?: boolean;
}

function varianceOf(op: string, xIn: Tensor, dim: number | number[] | null | undefined, opts: VarOptions | undefined): Tensor {
  const x = liveTensor(xIn, op, 'input');
  requireFloat(x, op, 'input');
  const o = checkOptions(opts, op, ['correction', 'keepdim']);
  const correction = o.correction ?? 1;
  check(typeof correction === 'number' && Number.isFinite(correction), op, () => `correction must be a number, got ${String(o.correction)}`);
  const { dims } = dimsOf(x, dim, o.keepdim, op);
  const n = countOf(x, dims);
  const mu = mean(x, dims, true);
  const d = sub(x, mu);
  const ss = sum(square(d), dims, o.keepdim === true);
  // torch: N - correction <= 0 gives inf (or NaN for 0/0).
  return div(ss, Math.max(0, n - correction));
}

/** Variance over dims with `correction` (default 1), as torch.var. Differentiable. */
export const variance = (x: Tensor, dim?: number | number[] | null, opts?: VarOptions): Tensor => varianceOf('var', x, dim, opts);
/** Standard deviation: sqrt(var). */
export const std = (x: Tensor, dim?: number | number[] | null, opts?: VarOptions): Tensor => sqrt(varianceOf('std', x, dim, opts));

/** The p-norm over dims (p = 2 default, 1, Infinity, or any positive p). The 2-norm's gradient is 0 where the norm is 0, as torch. */
export function norm(xIn: Tensor, p: number = 2, dim?: number | number[] | null, keepdim?: boolean): Tensor {
  const op = 'norm';
  const x = liveTensor(xIn, op, 'input');
  requireFloat(x, op, 'input');
  check(typeof p === 'number' && (p > 0 || p === Infinity), op, () => `p must be a positive number or Infinity, got ${String(p)}`);
  const { dims, keep, outShape } = dimsOf(x, dim, keepdim, op);
  if (p === 1) return sum(abs(x), dims, keepdim);
  if (p === Infinity) return amax(abs(x), dims, keepdim);
  if (p !== 2) return pow(sum(pow(abs(x), p), dims, keepdim), 1 / p);
  const r = noGrad(() => {
    const sq = unaryFloat('square', x, op);
    const s = floatReduce('sum', sq, dims, op);
    sq.dispose();
    const out = unaryFloat('sqrt', s, op);
    s.dispose();
    return finish(out, outShape);
  });
  return record(op, r, [x], (g) => noGrad(() => {
    const nk = new Tensor(keep, r.storage, op);
    const w = withShape(g, keep, (gk) => floatBinary('div', gk, nk, op));
    nk.dispose();
    const wv = w.view(op);
    const nv = r.view(op);
    for (let i = 0; i < wv.length; i++) if (nv[i] === 0) wv[i] = 0;
    const gx = floatBinary('mul', x, w, op);
    w.dispose();
    return [gx];
  }));
}
