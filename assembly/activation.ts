// Activations (relu, tanh, sigmoid) forward and backward, and dropout.
// Element-wise: each thread takes one 16-aligned range (rangeStart/rangeEnd),
// tails go through the same lane arithmetic, so bits never depend on threads.
import { rangeStart, rangeEnd } from "./elementwise";
import { expv, sigmoidv, tanhv } from "./math";

// @ts-ignore: decorator
@inline const RELU: i32 = 0;
// @ts-ignore: decorator
@inline const TANH: i32 = 1;
// @ts-ignore: decorator
@inline const SIGMOID: i32 = 2;

// @ts-ignore: decorator
@inline function forwardv(kind: i32, x: v128): v128 {
  if (kind == RELU) return f32x4.max(x, f32x4.splat(0.0));
  if (kind == TANH) return tanhv(x);
  return sigmoidv(x);
}

// relu: uses the input (gradient 0 at x = 0, as PyTorch); tanh, sigmoid: the output y.
// @ts-ignore: decorator
@inline function backwardv(kind: i32, s: v128, g: v128): v128 {
  if (kind == RELU) return v128.and(g, f32x4.gt(s, f32x4.splat(0.0)));
  if (kind == TANH) return f32x4.mul(g, f32x4.sub(f32x4.splat(1.0), f32x4.mul(s, s)));
  return f32x4.mul(g, f32x4.mul(s, f32x4.sub(f32x4.splat(1.0), s)));
}

// @ts-ignore: decorator
@inline function forwardLoop(kind: i32, x: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, forwardv(kind, v128.load(x + o)));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(forwardv(kind, f32x4.splat(load<f32>(x + o))), 0));
  }
}

// @ts-ignore: decorator
@inline function backwardLoop(kind: i32, s: usize, g: usize, gx: usize, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    v128.store(gx + o, backwardv(kind, v128.load(s + o), v128.load(g + o)));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    const r = backwardv(kind, f32x4.splat(load<f32>(s + o)), f32x4.splat(load<f32>(g + o)));
    store<f32>(gx + o, f32x4.extract_lane(r, 0));
  }
}

export function reluForward(x: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  forwardLoop(RELU, x, out, n, tid, nthreads);
}
/** gx = x > 0 ? g : 0 (x: the input). */
export function reluBackward(x: usize, g: usize, gx: usize, n: i32, tid: i32, nthreads: i32): void {
  backwardLoop(RELU, x, g, gx, n, tid, nthreads);
}
export function tanhForward(x: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  forwardLoop(TANH, x, out, n, tid, nthreads);
}
/** gx = g·(1 - y²) (y: the output). */
export function tanhBackward(y: usize, g: usize, gx: usize, n: i32, tid: i32, nthreads: i32): void {
  backwardLoop(TANH, y, g, gx, n, tid, nthreads);
}
export function sigmoidForward(x: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  forwardLoop(SIGMOID, x, out, n, tid, nthreads);
}
/** gx = g·y·(1 - y) (y: the output). */
export function sigmoidBackward(y: usize, g: usize, gx: usize, n: i32, tid: i32, nthreads: i32): void {
  backwardLoop(SIGMOID, y, g, gx, n, tid, nthreads);
}

// murmur3's 32-bit finaliser, per lane: a bijection with full avalanche.
// @ts-ignore: decorator
@inline function fmix32v(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

// @ts-ignore: decorator
@inline function dropoutv(idx: v128, key: v128, threshold: v128, scale: v128, x: v128): v128 {
  // Element i is kept when the top 24 bits of hash(seed, i) are >= p·2^24.
  const h = fmix32v(i32x4.add(i32x4.mul(idx, i32x4.splat(0x9e3779b9)), key));
  const keep = i32x4.ge_s(i32x4.shr_u(h, 8), threshold);
  return v128.and(f32x4.mul(x, scale), keep);
}

/**
 * out[i] = keep(seed, i) ? x[i]·scale : 0. The mask is a pure function of
 * (seed, i), so the backward pass applies the same call to the gradient and
 * nothing is stored. threshold = round(p·2^24) (2^24 drops everything).
 */
export function dropout(x: usize, out: usize, n: i32, seed: u32, threshold: i32, scale: f32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const key = fmix32v(i32x4.splat(<i32>(seed ^ 0x5bd1e995)));
  const th = i32x4.splat(threshold);
  const sc = f32x4.splat(scale);
  const step = i32x4.splat(4);
  let idx = i32x4(0, 1, 2, 3);
  idx = i32x4.add(idx, i32x4.splat(i));
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, dropoutv(idx, key, th, sc, v128.load(x + o)));
    idx = i32x4.add(idx, step);
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    const r = dropoutv(i32x4.splat(i), key, th, sc, f32x4.splat(load<f32>(x + o)));
    store<f32>(out + o, f32x4.extract_lane(r, 0));
  }
}
