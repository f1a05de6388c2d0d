// Local response normalisation across channels, PyTorch's convention:
//   y_c = x_c / (k + alpha/size · Σ_{c'=c-⌊size/2⌋}^{c+⌊(size-1)/2⌋} x_c'²)^beta
// (zero-padded window, as torch's avg_pool3d with count_include_pad).
// x is [N, C, S] (S = H·W). A unit of work is one (n, c) row of S values: it
// streams the window's rows (sequential, prefetch-friendly; they stay in L2 for
// the neighbouring channels), SIMD across positions, each window summed in
// channel order, so the bits do not depend on the thread count.
import { powv } from "./math";
import { unitStart } from "./elementwise";
import { ld, st } from "./lanes";

// d^beta for d > 0; beta = 0.75 (AlexNet, GoogLeNet) as sqrt(d)·sqrt(sqrt(d)).
// @ts-ignore: decorator
@inline function powBeta(d: v128, beta: f32): v128 {
  if (beta == 0.75) {
    const r = f32x4.sqrt(d);
    return f32x4.mul(r, f32x4.sqrt(r));
  }
  return powv(d, beta);
}

// The denominator base at row c: (Σ window x²)/size·alpha + k, torch's order of operations.
// @ts-ignore: decorator
@inline function base(xn: usize, lo: i32, hi: i32, stride: usize, off: usize, size: f32, alpha: f32, k: f32, one: bool): v128 {
  let s = f32x4.splat(0.0);
  for (let cc = lo; cc <= hi; cc++) {
    const v = ld(xn + <usize>cc * stride + off, one);
    s = f32x4.add(s, f32x4.mul(v, v));
  }
  s = f32x4.div(s, f32x4.splat(size));
  return f32x4.add(f32x4.mul(s, f32x4.splat(alpha)), f32x4.splat(k));
}

// y at 4 positions (one: 1) of row `row`.
// @ts-ignore: decorator
@inline function forwardAt(x: usize, out: usize, xn: usize, row: usize, off: usize, lo: i32, hi: i32, stride: usize,
  size: f32, alpha: f32, beta: f32, k: f32, one: bool): void {
  const d = base(xn, lo, hi, stride, off, size, alpha, k, one);
  st(out + row + off, f32x4.div(ld(x + row + off, one), powBeta(d, beta)), one);
}

// The walk over this thread's (n, c) rows shared by lrnForward and pass 1 of
// the backward (`backward` is a constant in each, so each inlined copy keeps
// only its own body): SIMD over positions, then the tail one at a time.
// @ts-ignore: decorator
@inline function windowRows(backward: bool, x: usize, g: usize, out: usize, scratch: usize, N: i32, C: i32, S: i32, size: i32,
  alpha: f32, beta: f32, k: f32, tid: i32, nthreads: i32): void {
  const stride = <usize>S << 2;
  const units = N * C;
  const fsize = <f32>size;
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const n = u / C;
    const c = u % C;
    const lo = max(0, c - size / 2);
    const hi = min(C - 1, c + (size - 1) / 2);
    const xn = x + <usize>n * C * stride;
    const row = <usize>u * stride;
    let s = 0;
    if (backward) {
      for (; s + 4 <= S; s += 4) pass1(x, g, out, scratch, xn, row, <usize>s << 2, lo, hi, stride, fsize, alpha, beta, k, false);
      for (; s < S; s++) pass1(x, g, out, scratch, xn, row, <usize>s << 2, lo, hi, stride, fsize, alpha, beta, k, true);
    } else {
      for (; s + 4 <= S; s += 4) forwardAt(x, out, xn, row, <usize>s << 2, lo, hi, stride, fsize, alpha, beta, k, false);
      for (; s < S; s++) forwardAt(x, out, xn, row, <usize>s << 2, lo, hi, stride, fsize, alpha, beta, k, true);
    }
  }
}

export function lrnForward(x: usize, out: usize, N: i32, C: i32, S: i32, size: i32, alpha: f32, beta: f32, k: f32, tid: i32, nthreads: i32): void {
  windowRows(false, x, 0, out, 0, N, C, S, size, alpha, beta, k, tid, nthreads);
}

// dL/dx_j = g_j·d_j^-β − (2αβ/size)·x_j·Σ_{c: j in window(c)} g_c·x_c·d_c^(−β−1)
// Pass 1 writes the direct term to gx and t_c = g_c·x_c·d_c^(−β−1) to scratch;
// pass 2 (a second call, after every row of pass 1 is done) subtracts the
// window sums of t: window(c) ∋ j ⇔ c ∈ [j − ⌊(size−1)/2⌋, j + ⌊size/2⌋].
// @ts-ignore: decorator
@inline function pass1(x: usize, g: usize, gx: usize, t: usize, xn: usize, row: usize, off: usize, lo: i32, hi: i32, stride: usize,
  size: f32, alpha: f32, beta: f32, k: f32, one: bool): void {
  const d = base(xn, lo, hi, stride, off, size, alpha, k, one);
  const p = row + off;
  const q = f32x4.div(f32x4.splat(1.0), powBeta(d, beta)); // d^-β
  const gv = ld(g + p, one);
  st(gx + p, f32x4.mul(gv, q), one);
  st(t + p, f32x4.div(f32x4.mul(f32x4.mul(gv, ld(x + p, one)), q), d), one);
}

export function lrnBackward1(x: usize, g: usize, gx: usize, scratch: usize, N: i32, C: i32, S: i32, size: i32, alpha: f32, beta: f32, k: f32, tid: i32, nthreads: i32): void {
  windowRows(true, x, g, gx, scratch, N, C, S, size, alpha, beta, k, tid, nthreads);
}

// @ts-ignore: decorator
@inline function pass2(x: usize, gx: usize, tn: usize, row: usize, off: usize, lo: i32, hi: i32, stride: usize, coef: v128, one: bool): void {
  let s = f32x4.splat(0.0);
  for (let c = lo; c <= hi; c++) s = f32x4.add(s, ld(tn + <usize>c * stride + off, one));
  const p = row + off;
  st(gx + p, f32x4.sub(ld(gx + p, one), f32x4.mul(f32x4.mul(coef, ld(x + p, one)), s)), one);
}

export function lrnBackward2(x: usize, gx: usize, scratch: usize, N: i32, C: i32, S: i32, size: i32, alpha: f32, beta: f32, tid: i32, nthreads: i32): void {
  const stride = <usize>S << 2;
  const units = N * C;
  const coef = f32x4.splat(2.0 * alpha * beta / <f32>size);
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const n = u / C;
    const j = u % C;
    const lo = max(0, j - (size - 1) / 2);
    const hi = min(C - 1, j + size / 2);
    const tn = scratch + <usize>n * C * stride;
    const row = <usize>u * stride;
    let s = 0;
    for (; s + 4 <= S; s += 4) pass2(x, gx, tn, row, <usize>s << 2, lo, hi, stride, coef, false);
    for (; s < S; s++) pass2(x, gx, tn, row, <usize>s << 2, lo, hi, stride, coef, true);
  }
}
