// Element-wise float32 ops with PyTorch broadcasting: same-shape, tensor-scalar
// and strided (broadcast) forms, and the unary ops. Each output element is a
// function of its inputs only (tails go through the same lane arithmetic,
// lane 0), so the bits never depend on the thread count.
import { rangeStart, rangeEnd, unitStart } from "./elementwise";
import { expv, logv } from "./math";

// Binary op codes, shared with src/ through the generated kernel table.
// @ts-ignore: decorator
@inline export const BINARY_ADD: i32 = 0;
// @ts-ignore: decorator
@inline export const BINARY_SUB: i32 = 1;
// @ts-ignore: decorator
@inline export const BINARY_MUL: i32 = 2;
// @ts-ignore: decorator
@inline export const BINARY_DIV: i32 = 3;
// @ts-ignore: decorator
@inline export const BINARY_MAX: i32 = 4;
// @ts-ignore: decorator
@inline export const BINARY_MIN: i32 = 5;
// @ts-ignore: decorator
@inline export const BINARY_POW: i32 = 6;
// BINARY_FIRST = a broadcast to the output shape (b only gives the shape): gradients of reductions.
// @ts-ignore: decorator
@inline export const BINARY_FIRST: i32 = 7;

/** a^b as torch.pow: b = 0 or a = 1 give 1; a < 0 needs an integer b (else NaN), odd b keeps the sign. */
// @ts-ignore: decorator
@inline function powv(a: v128, b: v128): v128 {
  let r = expv(f32x4.mul(b, logv(f32x4.abs(a))));
  const bInt = f32x4.eq(f32x4.trunc(b), b);
  const half = f32x4.mul(b, f32x4.splat(0.5));
  const bOdd = v128.and(bInt, f32x4.ne(f32x4.trunc(half), half));
  const neg = f32x4.lt(a, f32x4.splat(0.0));
  r = v128.bitselect(f32x4.neg(r), r, v128.and(neg, bOdd));
  r = v128.bitselect(f32x4.splat(NaN), r, v128.andnot(neg, bInt));
  const one = v128.or(f32x4.eq(b, f32x4.splat(0.0)), f32x4.eq(a, f32x4.splat(1.0)));
  return v128.bitselect(f32x4.splat(1.0), r, one);
}

// @ts-ignore: decorator
@inline function opv(kind: i32, a: v128, b: v128): v128 {
  if (kind == BINARY_ADD) return f32x4.add(a, b);
  if (kind == BINARY_SUB) return f32x4.sub(a, b);
  if (kind == BINARY_MUL) return f32x4.mul(a, b);
  if (kind == BINARY_DIV) return f32x4.div(a, b);
  // wasm max/min return NaN when either lane is NaN, as torch.maximum/minimum.
  if (kind == BINARY_MAX) return f32x4.max(a, b);
  if (kind == BINARY_MIN) return f32x4.min(a, b);
  if (kind == BINARY_FIRST) return a;
  return powv(a, b);
}

// @ts-ignore: decorator
@inline function sameLoop(kind: i32, a: usize, b: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  for (; i + 8 <= e; i += 8) {
    const o = <usize>i << 2;
    v128.store(out + o, opv(kind, v128.load(a + o), v128.load(b + o)));
    v128.store(out + o + 16, opv(kind, v128.load(a + o + 16), v128.load(b + o + 16)));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(opv(kind, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o))), 0));
  }
}

/** out[i] = a[i] (op) b[i], same shapes. */
export function binarySame(kind: i32, a: usize, b: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  // One loop per op: the kind test is hoisted out of the hot loop by inlining.
  if (kind == BINARY_ADD) sameLoop(BINARY_ADD, a, b, out, n, tid, nthreads);
  else if (kind == BINARY_SUB) sameLoop(BINARY_SUB, a, b, out, n, tid, nthreads);
  else if (kind == BINARY_MUL) sameLoop(BINARY_MUL, a, b, out, n, tid, nthreads);
  else if (kind == BINARY_DIV) sameLoop(BINARY_DIV, a, b, out, n, tid, nthreads);
  else if (kind == BINARY_MAX) sameLoop(BINARY_MAX, a, b, out, n, tid, nthreads);
  else if (kind == BINARY_MIN) sameLoop(BINARY_MIN, a, b, out, n, tid, nthreads);
  else sameLoop(BINARY_POW, a, b, out, n, tid, nthreads);
}

// @ts-ignore: decorator
@inline function scalarLoop(kind: i32, a: usize, s: f32, out: usize, n: i32, first: bool, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const sv = f32x4.splat(s);
  for (; i + 8 <= e; i += 8) {
    const o = <usize>i << 2;
    const x0 = v128.load(a + o);
    const x1 = v128.load(a + o + 16);
    v128.store(out + o, first ? opv(kind, sv, x0) : opv(kind, x0, sv));
    v128.store(out + o + 16, first ? opv(kind, sv, x1) : opv(kind, x1, sv));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    const x = f32x4.splat(load<f32>(a + o));
    store<f32>(out + o, f32x4.extract_lane(first ? opv(kind, sv, x) : opv(kind, x, sv), 0));
  }
}

/** out[i] = a[i] (op) s, or s (op) a[i] when `scalarFirst`. */
export function binaryScalar(kind: i32, a: usize, s: f32, out: usize, n: i32, scalarFirst: i32, tid: i32, nthreads: i32): void {
  const f = scalarFirst != 0;
  if (kind == BINARY_ADD) scalarLoop(BINARY_ADD, a, s, out, n, f, tid, nthreads);
  else if (kind == BINARY_SUB) scalarLoop(BINARY_SUB, a, s, out, n, f, tid, nthreads);
  else if (kind == BINARY_MUL) scalarLoop(BINARY_MUL, a, s, out, n, f, tid, nthreads);
  else if (kind == BINARY_DIV) scalarLoop(BINARY_DIV, a, s, out, n, f, tid, nthreads);
  else if (kind == BINARY_MAX) scalarLoop(BINARY_MAX, a, s, out, n, f, tid, nthreads);
  else if (kind == BINARY_MIN) scalarLoop(BINARY_MIN, a, s, out, n, f, tid, nthreads);
  else scalarLoop(BINARY_POW, a, s, out, n, f, tid, nthreads);
}

// One output row of a strided op: the inner strides are 1 (contiguous) or 0 (broadcast).
// @ts-ignore: decorator
@inline function rowLoop(kind: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, len: i32): void {
  let j = 0;
  if (sa == 1 && sb == 1) {
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, opv(kind, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 1) {
    const bv = f32x4.splat(load<f32>(b));
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, opv(kind, v128.load(a + o), bv));
    }
  } else if (sb == 1) {
    const av = f32x4.splat(load<f32>(a));
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, opv(kind, av, v128.load(b + o)));
    }
  }
  for (; j < len; j++) {
    const x = f32x4.splat(load<f32>(a + (<usize>(j * sa) << 2)));
    const y = f32x4.splat(load<f32>(b + (<usize>(j * sb) << 2)));
    store<f32>(out + (<usize>j << 2), f32x4.extract_lane(opv(kind, x, y), 0));
  }
}

// @ts-ignore: decorator
@inline function stridedLoop(kind: i32, a: usize, b: usize, out: usize, meta: usize, rank: i32, tid: i32, nthreads: i32): void {
  // meta (i32): shape[rank], aStrides[rank], bStrides[rank] in elements; the last dim is the row.
  const len = load<i32>(meta + (<usize>(rank - 1) << 2));
  const sa = load<i32>(meta + (<usize>(2 * rank - 1) << 2));
  const sb = load<i32>(meta + (<usize>(3 * rank - 1) << 2));
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= load<i32>(meta + (<usize>d << 2));
  const r0 = unitStart(rows, tid, nthreads);
  const r1 = unitStart(rows, tid + 1, nthreads);
  for (let r = r0; r < r1; r++) {
    // Offsets of row r: its multi-index from the row number, innermost outer dim first.
    let rem = r;
    let oa = 0;
    let ob = 0;
    for (let d = rank - 2; d >= 0; d--) {
      const size = load<i32>(meta + (<usize>d << 2));
      const k = rem % size;
      rem = rem / size;
      oa += k * load<i32>(meta + (<usize>(rank + d) << 2));
      ob += k * load<i32>(meta + (<usize>(2 * rank + d) << 2));
    }
    rowLoop(kind, a + (<usize>oa << 2), sa, b + (<usize>ob << 2), sb, out + (<usize>(r * len) << 2), len);
  }
}

/** out = a (op) b with broadcasting, as rows of the (collapsed) output shape. */
export function binaryStrided(kind: i32, a: usize, b: usize, out: usize, meta: usize, rank: i32, tid: i32, nthreads: i32): void {
  if (kind == BINARY_ADD) stridedLoop(BINARY_ADD, a, b, out, meta, rank, tid, nthreads);
  else if (kind == BINARY_SUB) stridedLoop(BINARY_SUB, a, b, out, meta, rank, tid, nthreads);
  else if (kind == BINARY_MUL) stridedLoop(BINARY_MUL, a, b, out, meta, rank, tid, nthreads);
  else if (kind == BINARY_DIV) stridedLoop(BINARY_DIV, a, b, out, meta, rank, tid, nthreads);
  else if (kind == BINARY_MAX) stridedLoop(BINARY_MAX, a, b, out, meta, rank, tid, nthreads);
  else if (kind == BINARY_MIN) stridedLoop(BINARY_MIN, a, b, out, meta, rank, tid, nthreads);
  else if (kind == BINARY_FIRST) stridedLoop(BINARY_FIRST, a, b, out, meta, rank, tid, nthreads);
  else stridedLoop(BINARY_POW, a, b, out, meta, rank, tid, nthreads);
}

// Unary op codes.
// @ts-ignore: decorator
@inline export const UNARY_NEG: i32 = 0;
// @ts-ignore: decorator
@inline export const UNARY_ABS: i32 = 1;
// @ts-ignore: decorator
@inline export const UNARY_EXP: i32 = 2;
// @ts-ignore: decorator
@inline export const UNARY_LOG: i32 = 3;
// @ts-ignore: decorator
@inline export const UNARY_SQRT: i32 = 4;
// @ts-ignore: decorator
@inline export const UNARY_RSQRT: i32 = 5;
// @ts-ignore: decorator
@inline export const UNARY_SQUARE: i32 = 6;
// @ts-ignore: decorator
@inline export const UNARY_SIGN: i32 = 7;
// min(max(x, lo), hi); NaN stays NaN, lo > hi gives hi (torch.clamp).
// @ts-ignore: decorator
@inline export const UNARY_CLAMP: i32 = 8;

// @ts-ignore: decorator
@inline function unaryv(kind: i32, x: v128, lo: v128, hi: v128): v128 {
  if (kind == UNARY_NEG) return f32x4.neg(x);
  if (kind == UNARY_ABS) return f32x4.abs(x);
  if (kind == UNARY_EXP) return expv(x);
  if (kind == UNARY_LOG) return logv(x);
  if (kind == UNARY_SQRT) return f32x4.sqrt(x);
  if (kind == UNARY_RSQRT) return f32x4.div(f32x4.splat(1.0), f32x4.sqrt(x));
  if (kind == UNARY_SQUARE) return f32x4.mul(x, x);
  if (kind == UNARY_SIGN) {
    // (0 < x) - (x < 0): NaN gives 0, as torch.sign's CPU kernel.
    const one = f32x4.splat(1.0);
    return f32x4.sub(v128.and(f32x4.lt(f32x4.splat(0.0), x), one), v128.and(f32x4.lt(x, f32x4.splat(0.0)), one));
  }
  return f32x4.min(f32x4.max(x, lo), hi);
}

// @ts-ignore: decorator
@inline function unaryLoop(kind: i32, x: usize, out: usize, n: i32, lo: f32, hi: f32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const lv = f32x4.splat(lo);
  const hv = f32x4.splat(hi);
  for (; i + 8 <= e; i += 8) {
    const o = <usize>i << 2;
    v128.store(out + o, unaryv(kind, v128.load(x + o), lv, hv));
    v128.store(out + o + 16, unaryv(kind, v128.load(x + o + 16), lv, hv));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(unaryv(kind, f32x4.splat(load<f32>(x + o)), lv, hv), 0));
  }
}

/** out[i] = f(x[i]); `lo`, `hi` are clamp's bounds (±inf when absent). */
export function unary(kind: i32, x: usize, out: usize, n: i32, lo: f32, hi: f32, tid: i32, nthreads: i32): void {
  if (kind == UNARY_NEG) unaryLoop(UNARY_NEG, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_ABS) unaryLoop(UNARY_ABS, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_EXP) unaryLoop(UNARY_EXP, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_LOG) unaryLoop(UNARY_LOG, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_SQRT) unaryLoop(UNARY_SQRT, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_RSQRT) unaryLoop(UNARY_RSQRT, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_SQUARE) unaryLoop(UNARY_SQUARE, x, out, n, lo, hi, tid, nthreads);
  else if (kind == UNARY_SIGN) unaryLoop(UNARY_SIGN, x, out, n, lo, hi, tid, nthreads);
  else unaryLoop(UNARY_CLAMP, x, out, n, lo, hi, tid, nthreads);
}

/** dst[i] = src[i]: the copy kernel whose bandwidth the element-wise ops are measured against. */
export function copyFloats(src: usize, dst: usize, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  for (; i + 8 <= e; i += 8) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o + 16, v128.load(src + o + 16));
  }
  for (; i < e; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}
