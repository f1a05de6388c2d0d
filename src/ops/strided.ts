import { kernels } from '../runtime/kernel-calls.js';
import { backend } from '../runtime/backend.js';
import { elementwiseThreads } from './launch.js';
import type { Words } from './raw-data.js';

/** The byte address of element 0 of `w` when it is a 32-bit view of the wasm memory, else -1. */
function wasmAddress(w: Words): number {
  if (!(w instanceof Int32Array)) return -1;
  return w.buffer === backend('copy').heap.memory.buffer ? w.byteOffset : -1;
}

/**
 * Strided element copies: the one data-movement loop behind permute,
 * transpose, slice, narrow, select, expand and pad. Tensors in simdnn are
 * contiguous, so these ops copy; the copy is blocked so that a permute that
 * moves the innermost dim stays cache-friendly. Transposes of 32-bit words
 * in wasm memory run in a SIMD kernel split over the threads
 * (assembly/transpose.ts); the rest runs here on the calling thread (bound
 * by memory bandwidth). A copy cannot depend on the thread count.
 */

/** Drops size-1 dims and merges neighbours that are contiguous in both layouts (fewer, longer loops). */
function coalesce(shape: readonly number[], sStr: readonly number[], dStr: readonly number[]): [number[], number[], number[]] {
  const n: number[] = [];
  const s: number[] = [];
  const d: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] === 1) continue;
    const last = n.length - 1;
    if (last >= 0 && s[last] === sStr[k] * shape[k] && d[last] === dStr[k] * shape[k]) {
      n[last] *= shape[k];
      s[last] = sStr[k];
      d[last] = dStr[k];
    } else {
      n.push(shape[k]);
      s.push(sStr[k]);
      d.push(dStr[k]);
    }
  }
  return [n, s, d];
}

/** Row-major strides of a contiguous `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    st[k] = s;
    s *= shape[k];
  }
  return st;
}

/**
 * Calls `body(sOff, dOff)` for every index of the dims `outer` (row-major),
 * with the offsets that index adds to `s0` and `d0`.
 */
function forEachOuter(
  shape: readonly number[], outer: readonly number[], sStr: readonly number[], dStr: readonly number[],
  s0: number, d0: number, body: (s: number, d: number) => void,
): void {
  const r = outer.length;
  const idx = new Array<number>(r).fill(0);
  let s = s0;
  let d = d0;
  for (;;) {
    body(s, d);
    let k = r - 1;
    for (; k >= 0; k--) {
      const dim = outer[k];
      idx[k]++;
      s += sStr[dim];
      d += dStr[dim];
      if (idx[k] < shape[dim]) break;
      s -= sStr[dim] * shape[dim];
      d -= dStr[dim] * shape[dim];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

const TILE = 32;

/**
 * dst[dOff + Σ i_k·dStr_k] = src[sOff + Σ i_k·sStr_k] for every index i of
 * `shape` (strides in elements; a stride may be 0 on the source: expand).
 */
export function stridedCopy(
  shape: readonly number[], src: Words, sOff: number, sStrides: readonly number[],
  dst: Words, dOff: number, dStrides: readonly number[],
): void {
  if (shape.some((n) => n === 0)) return;
  const [n, ss, ds] = coalesce(shape, sStrides, dStrides);
  const r = n.length;
  if (r === 0) {
    dst[dOff] = src[sOff];
    return;
  }
  const L = r - 1;
  const len = n[L];
  const sl = ss[L];
  const dl = ds[L];
  if (sl === 1 && dl === 1) {
    // Contiguous runs: a native block copy when they are long enough to pay for the call.
    forEachOuter(n, range(L), ss, ds, sOff, dOff, len >= 16
      ? (s, d) => dst.set(src.subarray(s, s + len), d)
      : (s, d) => {
        for (let i = 0; i < len; i++) dst[d + i] = src[s + i];
      });
    return;
  }
  // The dim the source walks contiguously, if the innermost one is not it.
  let t = -1;
  for (let k = 0; k < L; k++) if (ss[k] === 1) t = k;
  if (t >= 0 && dl === 1) {
    // A transpose of the (t, L) plane inside each outer index: copy in TILE² blocks.
    const nt = n[t];
    const dt = ds[t];
    const sL = sl;
    const outer = range(L).filter((k) => k !== t);
    const sa = wasmAddress(src);
    const da = wasmAddress(dst);
    if (sa >= 0 && da >= 0) {
      // 32-bit words in wasm memory: the SIMD kernel, over the last outer dim as its planes.
      const pk = outer.length > 0 ? outer[outer.length - 1] : -1;
      const planes = pk >= 0 ? n[pk] : 1;
      const sP = pk >= 0 ? ss[pk] : 0;
      const dP = pk >= 0 ? ds[pk] : 0;
      const words = planes * nt * len;
      forEachOuter(n, outer.slice(0, -1), ss, ds, sOff, dOff, (s, d) => {
        kernels.transposePlanes({
          src: sa + 4 * s, dst: da + 4 * d, planes, rows: len, cols: nt, sRow: sL, dRow: dt, sPlane: sP, dPlane: dP,
        }, elementwiseThreads(words));
      });
      return;
    }
    forEachOuter(n, outer, ss, ds, sOff, dOff, (s, d) => {
      for (let a0 = 0; a0 < nt; a0 += TILE) {
        const a1 = Math.min(nt, a0 + TILE);
        for (let b0 = 0; b0 < len; b0 += TILE) {
          const b1 = Math.min(len, b0 + TILE);
          for (let a = a0; a < a1; a++) {
            const so = s + a;
            const dO = d + a * dt;
            for (let b = b0; b < b1; b++) dst[dO + b] = src[so + b * sL];
          }
        }
      }
    });
    return;
  }
  forEachOuter(n, range(L), ss, ds, sOff, dOff, (s, d) => {
    for (let i = 0; i < len; i++) dst[d + i * dl] = src[s + i * sl];
  });
}

/**
 * dst[dOff + Σ i_k·dStr_k] += src[sOff + Σ i_k·sStr_k], visiting the indices
 * in row-major order of `shape` (a fixed summation order: the same bits every
 * run). With dst strides 0 on some dims it sums over them (expand's gradient).
 */
export function stridedAdd(
  shape: readonly number[], src: Float32Array, sOff: number, sStrides: readonly number[],
  dst: Float32Array, dOff: number, dStrides: readonly number[],
): void {
  if (shape.some((n) => n === 0)) return;
  // No merging of dims here: merging is exact for copies but could reorder a sum.
  const r = shape.length;
  if (r === 0) {
    dst[dOff] += src[sOff];
    return;
  }
  const L = r - 1;
  const len = shape[L];
  const sl = sStrides[L];
  const dl = dStrides[L];
  forEachOuter(shape, range(L), sStrides, dStrides, sOff, dOff, (s, d) => {
    for (let i = 0; i < len; i++) dst[d + i * dl] += src[s + i * sl];
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
