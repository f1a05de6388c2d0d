import { check, fmtShape } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { reduceSum } from './reduce.js';

/** The shape two shapes broadcast to (PyTorch's rules: sizes aligned from the right, 1 stretches), or null when they do not. */
export function tryBroadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** PyTorch's broadcast of two shapes, or a SimdnnError naming both and the first dim that differs. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const out = tryBroadcastShapes(a, b);
  if (out !== null) return out;
  const rank = Math.max(a.length, b.length);
  let i = 0;
  for (; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) break;
  }
  const da = a[a.length - rank + i] ?? 1;
  const db = b[b.length - rank + i] ?? 1;
  check(false, op, () => `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dim ${i - rank}: ${da} vs ${db})`);
  return out as never;
}

/** Element strides of `shape` read as `outShape` (0 along broadcast dims), aligned to outShape's rank. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const k = outShape.length - shape.length + i;
    strides[k] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Merges adjacent dims that every operand walks through in one run (its
 * strides chain: stride[d] = stride[d+1]·size[d+1], or 0 for both), so that
 * [N, C, H, W] + [1, C, 1, 1] becomes [N, C, H·W] with strides ([C·HW, HW, 1],
 * [0, 1, 0]): fewer, longer rows for the kernels. Size-1 dims are dropped.
 */
export function collapseDims(shape: readonly number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    // The kept outer dim `last` and dim d walk as one when outer stride = inner stride · inner size.
    const merge = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d]);
    if (merge) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => { outStrides[k][last] = s[d]; });
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    strides.forEach((_, k) => outStrides[k].push(0));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `fn(o, ia, ib)` for every output index o of the broadcast of a and b
 * (row-major), with the matching flat indices into a and b. For the JS paths
 * (int32, bool, comparisons) that are not hot.
 */
export function forEachBroadcast(outShape: readonly number[], aStr: readonly number[], bStr: readonly number[], fn: (o: number, ia: number, ib: number) => void): void {
  const n = shapeSize(outShape);
  if (n === 0) return;
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < n; o++) {
    fn(o, ia, ib);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += aStr[d];
      ib += bStr[d];
      if (idx[d] < outShape[d]) break;
      ia -= aStr[d] * outShape[d];
      ib -= bStr[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/**
 * The gradient of a broadcast operand: `g` (of the broadcast shape) summed
 * over the dims along which `shape` was stretched, by the sum reduction's
 * wasm kernel (float64 accumulation, fixed order: the same bits for any
 * thread count). Returns `g` itself when nothing was broadcast.
 */
export function sumToShape(g: Tensor, shape: readonly number[], op: string): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) dims.push(i);
  });
  const r = reduceSum(g, dims, op);
  const out = new Tensor(shape.slice(), r.storage, op);
  r.dispose(); // the view keeps the memory
  return out;
}
