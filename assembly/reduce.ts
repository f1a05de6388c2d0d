// Reductions over one axis of x viewed as [outer, len, inner]. Every output
// element is reduced by one thread, in an order fixed by the shape alone
// (four float64 lanes pairs for sums, combined in a fixed tree), so the bits
// never depend on the thread count.
import { unitStart } from "./elementwise";

// @ts-ignore: decorator
@inline export const REDUCE_SUM: i32 = 0; // out = scale · Σ x, float64 accumulation
// @ts-ignore: decorator
@inline export const REDUCE_MAX: i32 = 1; // NaN propagates (wasm max), as torch.amax
// @ts-ignore: decorator
@inline export const REDUCE_MIN: i32 = 2;
// @ts-ignore: decorator
@inline export const REDUCE_PROD: i32 = 3; // float64 accumulation

/** Σ of `len` contiguous floats from p, in float64: 8 lanes (4 f64x2 accumulators), then a fixed tree. */
// @ts-ignore: decorator
@inline function sumRow(p: usize, len: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let j = 0;
  for (; j + 8 <= len; j += 8) {
    const v0 = v128.load(p + (<usize>j << 2));
    const v1 = v128.load(p + (<usize>j << 2) + 16);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(v0, v0, 1, 0)));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
    a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i64x2.shuffle(v1, v1, 1, 0)));
  }
  const t = f64x2.add(f64x2.add(a0, a2), f64x2.add(a1, a3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; j < len; j++) s += <f64>load<f32>(p + (<usize>j << 2));
  return s;
}

// Four independent accumulators of pmax/pmin (one instruction each; the
// NaN-propagating f32x4.max is several in V8) and a separate NaN flag: any NaN
// makes the result NaN, as torch.amax.
// @ts-ignore: decorator
@inline function ext(kind: i32, m: v128, v: v128): v128 {
  return kind == REDUCE_MAX ? f32x4.pmax(m, v) : f32x4.pmin(m, v);
}

// @ts-ignore: decorator
@inline function maxRow(kind: i32, p: usize, len: i32): f32 {
  let j = 0;
  let r: f32 = kind == REDUCE_MAX ? -Infinity : Infinity;
  if (len >= 16) {
    let m0 = v128.load(p);
    let m1 = v128.load(p + 16);
    let m2 = v128.load(p + 32);
    let m3 = v128.load(p + 48);
    let nan = v128.or(v128.or(f32x4.ne(m0, m0), f32x4.ne(m1, m1)), v128.or(f32x4.ne(m2, m2), f32x4.ne(m3, m3)));
    for (j = 16; j + 16 <= len; j += 16) {
      const q = p + (<usize>j << 2);
      const v0 = v128.load(q);
      const v1 = v128.load(q + 16);
      const v2 = v128.load(q + 32);
      const v3 = v128.load(q + 48);
      m0 = ext(kind, m0, v0);
      m1 = ext(kind, m1, v1);
      m2 = ext(kind, m2, v2);
      m3 = ext(kind, m3, v3);
      nan = v128.or(nan, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
    }
    const m = ext(kind, ext(kind, m0, m1), ext(kind, m2, m3));
    const a = f32x4.extract_lane(m, 0);
    const b = f32x4.extract_lane(m, 1);
    const c = f32x4.extract_lane(m, 2);
    const d = f32x4.extract_lane(m, 3);
    r = kind == REDUCE_MAX ? max(max(a, b), max(c, d)) : min(min(a, b), min(c, d));
    if (v128.any_true(nan)) r = NaN;
  }
  for (; j < len; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    r = kind == REDUCE_MAX ? max(r, v) : min(r, v);
  }
  return r;
}

/** One output value of a contiguous row (inner = 1). */
// @ts-ignore: decorator
@inline function rowValue(kind: i32, p: usize, len: i32, scale: f64): f32 {
  if (kind == REDUCE_SUM) return <f32>(sumRow(p, len) * scale);
  if (kind == REDUCE_PROD) {
    let s: f64 = 1;
    for (let j = 0; j < len; j++) s *= <f64>load<f32>(p + (<usize>j << 2));
    return <f32>s;
  }
  return maxRow(kind, p, len);
}

/**
 * out[o, i] = reduce_j x[o, j, i]. Units: whole rows when inner = 1, else
 * (o, column) pairs; a column is walked j = 0..len-1 in order.
 */
export function reduceAxis(kind: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32, scale: f64, tid: i32, nthreads: i32): void {
  if (inner == 1) {
    const r0 = unitStart(outer, tid, nthreads);
    const r1 = unitStart(outer, tid + 1, nthreads);
    for (let r = r0; r < r1; r++) {
      const p = x + (<usize>r * <usize>len << 2);
      const v = kind == REDUCE_SUM ? rowValue(REDUCE_SUM, p, len, scale) : kind == REDUCE_MAX ? rowValue(REDUCE_MAX, p, len, scale) : kind == REDUCE_MIN ? rowValue(REDUCE_MIN, p, len, scale) : rowValue(REDUCE_PROD, p, len, scale);
      store<f32>(out + (<usize>r << 2), v);
    }
    return;
  }
  // Columns in blocks of 16 (one cache line: every pass over the rows reads
  // whole lines), scalar for the last inner % 16.
  const blocks = (inner + 15) >> 4;
  const units = outer * blocks;
  const u0 = unitStart(units, tid, nthreads);
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = u0; u < u1; u++) {
    const o = u / blocks;
    const c = (u % blocks) << 4;
    const base = x + ((<usize>o * <usize>len * <usize>inner + <usize>c) << 2);
    const dst = out + ((<usize>o * <usize>inner + <usize>c) << 2);
    if (c + 16 <= inner) {
      if (kind == REDUCE_SUM) columnSums(base, dst, len, inner, scale);
      else if (kind == REDUCE_MAX) columnExtreme(REDUCE_MAX, base, dst, len, inner);
      else if (kind == REDUCE_MIN) columnExtreme(REDUCE_MIN, base, dst, len, inner);
      else columnScalar(REDUCE_PROD, base, dst, len, inner, 16, scale);
    } else {
      columnScalar(kind, base, dst, len, inner, inner - c, scale);
    }
  }
}

// @ts-ignore: decorator
@inline function widen(v: v128, high: bool): v128 {
  return f64x2.promote_low_f32x4(high ? i64x2.shuffle(v, v, 1, 0) : v);
}

/** 16 columns: Σ over len rows in float64 (8 f64x2 accumulators), scaled, rounded once. */
function columnSums(base: usize, dst: usize, len: i32, inner: i32, scale: f64): void {
  let a0 = f64x2.splat(0); let a1 = f64x2.splat(0); let a2 = f64x2.splat(0); let a3 = f64x2.splat(0);
  let a4 = f64x2.splat(0); let a5 = f64x2.splat(0); let a6 = f64x2.splat(0); let a7 = f64x2.splat(0);
  const rowBytes = <usize>inner << 2;
  for (let j = 0; j < len; j++) {
    const q = base + <usize>j * rowBytes;
    const v0 = v128.load(q);
    const v1 = v128.load(q + 16);
    const v2 = v128.load(q + 32);
    const v3 = v128.load(q + 48);
    a0 = f64x2.add(a0, widen(v0, false)); a1 = f64x2.add(a1, widen(v0, true));
    a2 = f64x2.add(a2, widen(v1, false)); a3 = f64x2.add(a3, widen(v1, true));
    a4 = f64x2.add(a4, widen(v2, false)); a5 = f64x2.add(a5, widen(v2, true));
    a6 = f64x2.add(a6, widen(v3, false)); a7 = f64x2.add(a7, widen(v3, true));
  }
  const s = f64x2.splat(scale);
  v128.store(dst, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a0, s)), f32x4.demote_f64x2_zero(f64x2.mul(a1, s)), 0, 2));
  v128.store(dst + 16, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a2, s)), f32x4.demote_f64x2_zero(f64x2.mul(a3, s)), 0, 2));
  v128.store(dst + 32, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a4, s)), f32x4.demote_f64x2_zero(f64x2.mul(a5, s)), 0, 2));
  v128.store(dst + 48, i64x2.shuffle(f32x4.demote_f64x2_zero(f64x2.mul(a6, s)), f32x4.demote_f64x2_zero(f64x2.mul(a7, s)), 0, 2));
}

// @ts-ignore: decorator
@inline function columnExtreme(kind: i32, base: usize, dst: usize, len: i32, inner: i32): void {
  const init = f32x4.splat(kind == REDUCE_MAX ? -Infinity : Infinity);
  let m0 = init; let m1 = init; let m2 = init; let m3 = init;
  let n0 = i32x4.splat(0); let n1 = i32x4.splat(0); let n2 = i32x4.splat(0); let n3 = i32x4.splat(0);
  const rowBytes = <usize>inner << 2;
  for (let j = 0; j < len; j++) {
    const q = base + <usize>j * rowBytes;
    const v0 = v128.load(q);
    const v1 = v128.load(q + 16);
    const v2 = v128.load(q + 32);
    const v3 = v128.load(q + 48);
    m0 = ext(kind, m0, v0); m1 = ext(kind, m1, v1); m2 = ext(kind, m2, v2); m3 = ext(kind, m3, v3);
    n0 = v128.or(n0, f32x4.ne(v0, v0)); n1 = v128.or(n1, f32x4.ne(v1, v1));
    n2 = v128.or(n2, f32x4.ne(v2, v2)); n3 = v128.or(n3, f32x4.ne(v3, v3));
  }
  // A column that met a NaN is NaN (the flag lanes are all-ones there).
  const qnan = f32x4.splat(NaN);
  v128.store(dst, v128.bitselect(qnan, m0, n0)); v128.store(dst + 16, v128.bitselect(qnan, m1, n1));
  v128.store(dst + 32, v128.bitselect(qnan, m2, n2)); v128.store(dst + 48, v128.bitselect(qnan, m3, n3));
}

/** `cols` columns one at a time, float64 (the tail of a row, and prod). */
function columnScalar(kind: i32, base: usize, dst: usize, len: i32, inner: i32, cols: i32, scale: f64): void {
  const rowBytes = <usize>inner << 2;
  for (let k = 0; k < cols; k++) {
    let s: f64 = kind == REDUCE_SUM ? 0 : kind == REDUCE_PROD ? 1 : kind == REDUCE_MAX ? -Infinity : Infinity;
    for (let j = 0; j < len; j++) {
      const v = <f64>load<f32>(base + <usize>j * rowBytes + (<usize>k << 2));
      s = kind == REDUCE_SUM ? s + v : kind == REDUCE_PROD ? s * v : kind == REDUCE_MAX ? max(s, v) : min(s, v);
    }
    store<f32>(dst + (<usize>k << 2), <f32>(kind == REDUCE_SUM ? s * scale : s));
  }
}

/**
 * Partial sums of one long row in fixed blocks of `block` floats (a thread
 * takes whole blocks): partials[b] = Σ block b, float64. The caller adds the
 * partials in order, so the total does not depend on the thread count.
 */
export function sumBlocks(x: usize, partials: usize, len: i32, block: i32, tid: i32, nthreads: i32): void {
  const nb = (len + block - 1) / block;
  const b0 = unitStart(nb, tid, nthreads);
  const b1 = unitStart(nb, tid + 1, nthreads);
  for (let b = b0; b < b1; b++) {
    const start = b * block;
    const n = min(block, len - start);
    store<f64>(partials + (<usize>b << 3), sumRow(x + (<usize>start << 2), n));
  }
}
