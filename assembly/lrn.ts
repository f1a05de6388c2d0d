// Local response normalisation across channels, PyTorch's convention:
//   y_c = x_c / (k + alpha/size · Σ_{c'=c-⌊size/2⌋}^{c+⌊(size-1)/2⌋} x_c'²)^beta
// (zero-padded window, as torch's avg_pool3d with count_include_pad).
// x is [N, C, S] (S = H·W). Units are (n, block of 16 spatial positions): one
// thread each, SIMD across 4 positions, every window summed in channel order.
import { powv } from "./math";
import { unitStart } from "./softmax";

// @ts-ignore: decorator
@inline const BLOCK: i32 = 16;

// @ts-ignore: decorator
@inline function ld(p: usize, one: bool): v128 {
  return one ? f32x4.splat(load<f32>(p)) : v128.load(p);
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, one: bool): void {
  if (one) store<f32>(p, f32x4.extract_lane(v, 0));
  else v128.store(p, v);
}

// The denominator base d_c = (Σ window x²)/size·alpha + k, in torch's order of operations.
// @ts-ignore: decorator
@inline function base(x: usize, c: i32, C: i32, size: i32, stride: usize, alpha: f32, k: f32, one: bool): v128 {
  const lo = max(0, c - size / 2);
  const hi = min(C - 1, c + (size - 1) / 2);
  let s = f32x4.splat(0.0);
  for (let cc = lo; cc <= hi; cc++) {
    const v = ld(x + <usize>cc * stride, one);
    s = f32x4.add(s, f32x4.mul(v, v));
  }
  s = f32x4.div(s, f32x4.splat(<f32>size));
  return f32x4.add(f32x4.mul(s, f32x4.splat(alpha)), f32x4.splat(k));
}

// @ts-ignore: decorator
@inline function forwardColumns(x: usize, out: usize, C: i32, stride: usize, size: i32, alpha: f32, beta: f32, k: f32, one: bool): void {
  for (let c = 0; c < C; c++) {
    const d = base(x, c, C, size, stride, alpha, k, one);
    const o = <usize>c * stride;
    st(out + o, f32x4.div(ld(x + o, one), powv(d, beta)), one);
  }
}

export function lrnForward(x: usize, out: usize, N: i32, C: i32, S: i32, size: i32, alpha: f32, beta: f32, k: f32, tid: i32, nthreads: i32): void {
  const blocks = (S + BLOCK - 1) / BLOCK;
  const units = N * blocks;
  const stride = <usize>S << 2;
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const n = u / blocks;
    const j0 = (u % blocks) * BLOCK;
    const j1 = min(S, j0 + BLOCK);
    const p0 = <usize>n * C * stride;
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const p = p0 + (<usize>j << 2);
      forwardColumns(x + p, out + p, C, stride, size, alpha, beta, k, false);
    }
    for (; j < j1; j++) {
      const p = p0 + (<usize>j << 2);
      forwardColumns(x + p, out + p, C, stride, size, alpha, beta, k, true);
    }
  }
}

// dL/dx_j = g_j·d_j^-β − (2αβ/size)·x_j·Σ_{c: j in window(c)} g_c·x_c·d_c^(−β−1)
// Pass 1 writes the direct term to gx and t_c = g_c·x_c·d_c^(−β−1) to scratch;
// pass 2 adds the window sums of t (window(c) ∋ j ⇔ c ∈ [j−⌊(size−1)/2⌋, j+⌊size/2⌋]).
// @ts-ignore: decorator
@inline function backwardColumns(x: usize, g: usize, gx: usize, t: usize, C: i32, stride: usize, size: i32, alpha: f32, beta: f32, k: f32, one: bool): void {
  for (let c = 0; c < C; c++) {
    const d = base(x, c, C, size, stride, alpha, k, one);
    const o = <usize>c * stride;
    const q = f32x4.div(f32x4.splat(1.0), powv(d, beta)); // d^-β
    const gv = ld(g + o, one);
    st(gx + o, f32x4.mul(gv, q), one);
    st(t + o, f32x4.div(f32x4.mul(f32x4.mul(gv, ld(x + o, one)), q), d), one);
  }
  const coef = f32x4.splat(2.0 * alpha * beta / <f32>size);
  for (let j = 0; j < C; j++) {
    const lo = max(0, j - (size - 1) / 2);
    const hi = min(C - 1, j + size / 2);
    let s = f32x4.splat(0.0);
    for (let c = lo; c <= hi; c++) s = f32x4.add(s, ld(t + <usize>c * stride, one));
    const o = <usize>j * stride;
    st(gx + o, f32x4.sub(ld(gx + o, one), f32x4.mul(f32x4.mul(coef, ld(x + o, one)), s)), one);
  }
}

/** gx for LRN; `scratch` has x's size and layout. */
export function lrnBackward(x: usize, g: usize, gx: usize, scratch: usize, N: i32, C: i32, S: i32, size: i32, alpha: f32, beta: f32, k: f32, tid: i32, nthreads: i32): void {
  const blocks = (S + BLOCK - 1) / BLOCK;
  const units = N * blocks;
  const stride = <usize>S << 2;
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const n = u / blocks;
    const j0 = (u % blocks) * BLOCK;
    const j1 = min(S, j0 + BLOCK);
    const p0 = <usize>n * C * stride;
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const p = p0 + (<usize>j << 2);
      backwardColumns(x + p, g + p, gx + p, scratch + p, C, stride, size, alpha, beta, k, false);
    }
    for (; j < j1; j++) {
      const p = p0 + (<usize>j << 2);
      backwardColumns(x + p, g + p, gx + p, scratch + p, C, stride, size, alpha, beta, k, true);
    }
  }
}

