// Reductions over one axis of x viewed as [outer, len, inner]. Every output
// element is reduced by one thread, in an order fixed by the shape alone
// (four float64 lanes pairs for sums, combined in a fixed tree), so the bits
// never depend on the thread count.
import { unitStart } from "./elementwise";

// @ts-ignore: decorator
@inline const SUM: i32 = 0; // out = scale · Σ x, float64 accumulation
// @ts-ignore: decorator
@inline const MAX: i32 = 1; // NaN propagates (wasm max), as torch.amax
// @ts-ignore: decorator
@inline const MIN: i32 = 2;
// @ts-ignore: decorator
@inline const PROD: i32 = 3; // float64 accumulation

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

// @ts-ignore: decorator
@inline function maxRow(kind: i32, p: usize, len: i32): f32 {
  let j = 0;
  let r: f32 = kind == MAX ? -Infinity : Infinity;
  if (len >= 4) {
    let m = v128.load(p);
    for (j = 4; j + 4 <= len; j += 4) {
      const v = v128.load(p + (<usize>j << 2));
      m = kind == MAX ? f32x4.max(m, v) : f32x4.min(m, v);
    }
    const a = f32x4.extract_lane(m, 0);
    const b = f32x4.extract_lane(m, 1);
    const c = f32x4.extract_lane(m, 2);
    const d = f32x4.extract_lane(m, 3);
    r = kind == MAX ? max(max(a, b), max(c, d)) : min(min(a, b), min(c, d));
  }
  for (; j < len; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    r = kind == MAX ? max(r, v) : min(r, v);
  }
  return r;
}

/** One output value of a contiguous row (inner = 1). */
// @ts-ignore: decorator
@inline function rowValue(kind: i32, p: usize, len: i32, scale: f64): f32 {
  if (kind == SUM) return <f32>(sumRow(p, len) * scale);
  if (kind == PROD) {
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
      store<f32>(out + (<usize>r << 2), rowValue(kind, x + (<usize>r * <usize>len << 2), len, scale));
    }
    return;
  }
  // Columns in blocks of 4 (one f32x4 → two f64x2 accumulators), scalar for the rest.
  const blocks = (inner + 3) >> 2;
  const units = outer * blocks;
  const u0 = unitStart(units, tid, nthreads);
  const u1 = unitStart(units, tid + 1, nthreads);
  const rowBytes = <usize>inner << 2;
  for (let u = u0; u < u1; u++) {
    const o = u / blocks;
    const c = (u % blocks) << 2;
    const base = x + ((<usize>o * <usize>len * <usize>inner + <usize>c) << 2);
    const dst = out + ((<usize>o * <usize>inner + <usize>c) << 2);
    if (c + 4 <= inner) {
      if (kind == SUM || kind == PROD) {
        let lo = f64x2.splat(kind == SUM ? 0 : 1);
        let hi = f64x2.splat(kind == SUM ? 0 : 1);
        for (let j = 0; j < len; j++) {
          const v = v128.load(base + <usize>j * rowBytes);
          const vl = f64x2.promote_low_f32x4(v);
          const vh = f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0));
          if (kind == SUM) {
            lo = f64x2.add(lo, vl);
            hi = f64x2.add(hi, vh);
          } else {
            lo = f64x2.mul(lo, vl);
            hi = f64x2.mul(hi, vh);
          }
        }
        if (kind == SUM) {
          lo = f64x2.mul(lo, f64x2.splat(scale));
          hi = f64x2.mul(hi, f64x2.splat(scale));
        }
        const dl = f32x4.demote_f64x2_zero(lo);
        const dh = f32x4.demote_f64x2_zero(hi);
        v128.store(dst, i64x2.shuffle(dl, dh, 0, 2));
      } else {
        let m = f32x4.splat(kind == MAX ? -Infinity : Infinity);
        for (let j = 0; j < len; j++) {
          const v = v128.load(base + <usize>j * rowBytes);
          m = kind == MAX ? f32x4.max(m, v) : f32x4.min(m, v);
        }
        v128.store(dst, m);
      }
    } else {
      for (let k = 0; k < inner - c; k++) {
        let s: f64 = kind == SUM ? 0 : kind == PROD ? 1 : kind == MAX ? -Infinity : Infinity;
        for (let j = 0; j < len; j++) {
          const v = <f64>load<f32>(base + <usize>j * rowBytes + (<usize>k << 2));
          s = kind == SUM ? s + v : kind == PROD ? s * v : kind == MAX ? max(s, v) : min(s, v);
        }
        store<f32>(dst + (<usize>k << 2), <f32>(kind == SUM ? s * scale : s));
      }
    }
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
