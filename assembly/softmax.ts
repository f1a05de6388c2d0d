// softmax / logSoftmax over one dimension of a tensor viewed as [outer, D, inner].
// Work units are (outer index, block of INNER_BLOCK inner positions); each unit
// is done by one thread in a fixed order, so bits never depend on the thread count.
// inner == 1 (the last dimension): SIMD along D, 4 partial sums per row.
// inner > 1: SIMD across inner positions, every sum in d order.
import { unitStart } from "./elementwise";
import { expv, logv } from "./math";
import { ld, st } from "./lanes";

// @ts-ignore: decorator
@inline const INNER_BLOCK: i32 = 64;


// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// One contiguous row of D values (inner == 1).
function rowForward(x: usize, out: usize, D: i32, isLog: bool): void {
  let mv = f32x4.splat(-Infinity);
  let d = 0;
  for (; d + 4 <= D; d += 4) mv = f32x4.max(mv, v128.load(x + (<usize>d << 2)));
  let m = hmax(mv);
  for (; d < D; d++) m = max(m, load<f32>(x + (<usize>d << 2)));
  const ms = f32x4.splat(m);
  let sv = f32x4.splat(0.0);
  d = 0;
  for (; d + 4 <= D; d += 4) {
    const o = <usize>d << 2;
    const sh = f32x4.sub(v128.load(x + o), ms);
    const e = expv(sh);
    sv = f32x4.add(sv, e);
    v128.store(out + o, isLog ? sh : e);
  }
  let s = hsum(sv);
  for (; d < D; d++) {
    const o = <usize>d << 2;
    const sh = load<f32>(x + o) - m;
    const e = f32x4.extract_lane(expv(f32x4.splat(sh)), 0);
    s += e;
    store<f32>(out + o, isLog ? sh : e);
  }
  // softmax: e / s; logSoftmax: (x - m) - ln s.
  const fin = isLog ? f32x4.splat(f32x4.extract_lane(logv(f32x4.splat(s)), 0)) : f32x4.splat(s);
  d = 0;
  for (; d + 4 <= D; d += 4) {
    const o = <usize>d << 2;
    const v = v128.load(out + o);
    v128.store(out + o, isLog ? f32x4.sub(v, fin) : f32x4.div(v, fin));
  }
  const f = f32x4.extract_lane(fin, 0);
  for (; d < D; d++) {
    const o = <usize>d << 2;
    const v = load<f32>(out + o);
    store<f32>(out + o, isLog ? v - f : v / f);
  }
}

// 4 (or, with `one`, 1) inner positions at x, stride `stride` bytes between d.
// @ts-ignore: decorator
@inline function columnsForward(x: usize, out: usize, D: i32, stride: usize, isLog: bool, one: bool): void {
  let m = f32x4.splat(-Infinity);
  for (let d = 0; d < D; d++) {
    const p = x + <usize>d * stride;
    m = f32x4.max(m, ld(p, one));
  }
  let s = f32x4.splat(0.0);
  for (let d = 0; d < D; d++) {
    const o = <usize>d * stride;
    const sh = f32x4.sub(ld(x + o, one), m);
    const e = expv(sh);
    s = f32x4.add(s, e);
    const r = isLog ? sh : e;
    st(out + o, r, one);
  }
  const fin = isLog ? logv(s) : s;
  for (let d = 0; d < D; d++) {
    const o = <usize>d * stride;
    const v = ld(out + o, one);
    const r = isLog ? f32x4.sub(v, fin) : f32x4.div(v, fin);
    st(out + o, r, one);
  }
}

/** out = softmax(x) (isLog = 0) or logSoftmax(x) (isLog = 1) along D of [outer, D, inner]. */
export function softmaxForward(x: usize, out: usize, outer: i32, D: i32, inner: i32, isLog: i32, tid: i32, nthreads: i32): void {
  eachUnit(false, x, 0, out, outer, D, inner, isLog, tid, nthreads);
}

// Backward per column group: softmax: gx = y·(g - Σ g·y); logSoftmax: gx = g - e^y·Σ g.
// @ts-ignore: decorator
@inline function columnsBackward(y: usize, g: usize, gx: usize, D: i32, stride: usize, isLog: bool, one: bool): void {
  let s = f32x4.splat(0.0);
  for (let d = 0; d < D; d++) {
    const o = <usize>d * stride;
    const gv = ld(g + o, one);
    if (isLog) s = f32x4.add(s, gv);
    else s = f32x4.add(s, f32x4.mul(gv, ld(y + o, one)));
  }
  for (let d = 0; d < D; d++) {
    const o = <usize>d * stride;
    const gv = ld(g + o, one);
    const yv = ld(y + o, one);
    const r = isLog ? f32x4.sub(gv, f32x4.mul(expv(yv), s)) : f32x4.mul(yv, f32x4.sub(gv, s));
    st(gx + o, r, one);
  }
}

function rowBackward(y: usize, g: usize, gx: usize, D: i32, isLog: bool): void {
  let sv = f32x4.splat(0.0);
  let d = 0;
  for (; d + 4 <= D; d += 4) {
    const o = <usize>d << 2;
    const gv = v128.load(g + o);
    sv = f32x4.add(sv, isLog ? gv : f32x4.mul(gv, v128.load(y + o)));
  }
  let s = hsum(sv);
  for (; d < D; d++) {
    const o = <usize>d << 2;
    s += isLog ? load<f32>(g + o) : load<f32>(g + o) * load<f32>(y + o);
  }
  const ss = f32x4.splat(s);
  d = 0;
  for (; d + 4 <= D; d += 4) {
    const o = <usize>d << 2;
    const gv = v128.load(g + o);
    const yv = v128.load(y + o);
    v128.store(gx + o, isLog ? f32x4.sub(gv, f32x4.mul(expv(yv), ss)) : f32x4.mul(yv, f32x4.sub(gv, ss)));
  }
  for (; d < D; d++) {
    const o = <usize>d << 2;
    const gv = f32x4.splat(load<f32>(g + o));
    const yv = f32x4.splat(load<f32>(y + o));
    const r = isLog ? f32x4.sub(gv, f32x4.mul(expv(yv), ss)) : f32x4.mul(yv, f32x4.sub(gv, ss));
    store<f32>(gx + o, f32x4.extract_lane(r, 0));
  }
}

// 4 columns (or one) at byte offset p, with isLog made a constant for columnsForward/Backward.
// @ts-ignore: decorator
@inline function columns(backward: bool, isLog: i32, x: usize, g: usize, out: usize, p: usize, D: i32, stride: usize, one: bool): void {
  if (backward) {
    if (isLog) columnsBackward(x + p, g + p, out + p, D, stride, true, one);
    else columnsBackward(x + p, g + p, out + p, D, stride, false, one);
  } else {
    if (isLog) columnsForward(x + p, out + p, D, stride, true, one);
    else columnsForward(x + p, out + p, D, stride, false, one);
  }
}

// The walk over this thread's units shared by the forward and the backward
// (`backward` is a constant in each, so each inlined copy keeps only its own
// calls): a unit is a row (inner == 1) or a block of columns, SIMD 4 columns
// at a time, then the tail one at a time.
// @ts-ignore: decorator
@inline function eachUnit(backward: bool, x: usize, g: usize, out: usize, outer: i32, D: i32, inner: i32, isLog: i32, tid: i32, nthreads: i32): void {
  const blocks = (inner + INNER_BLOCK - 1) / INNER_BLOCK;
  const units = outer * blocks;
  const u1 = unitStart(units, tid + 1, nthreads);
  const stride = <usize>inner << 2;
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const o = u / blocks;
    const base = <usize>o * D * stride;
    if (inner == 1) {
      if (backward) rowBackward(x + base, g + base, out + base, D, isLog != 0);
      else rowForward(x + base, out + base, D, isLog != 0);
      continue;
    }
    const j0 = (u % blocks) * INNER_BLOCK;
    const j1 = min(inner, j0 + INNER_BLOCK);
    let j = j0;
    for (; j + 4 <= j1; j += 4) columns(backward, isLog, x, g, out, base + (<usize>j << 2), D, stride, false);
    for (; j < j1; j++) columns(backward, isLog, x, g, out, base + (<usize>j << 2), D, stride, true);
  }
}

/** gx from the forward's output y and the incoming gradient g (same layout as the forward). */
export function softmaxBackward(y: usize, g: usize, gx: usize, outer: i32, D: i32, inner: i32, isLog: i32, tid: i32, nthreads: i32): void {
  eachUnit(true, y, g, gx, outer, D, inner, isLog, tid, nthreads);
}
