// Hardtanh's gradient (ReLU6 and Hardtanh, which exporters write as ONNX Clip):
// the incoming gradient where lo < x < hi, 0 at and beyond the bounds, as
// PyTorch's hardtanh_backward. The forward is binary.ts's clamp (`unary`, kind 8).
// Element-wise over one aligned range per thread: bits do not depend on threads.
import { rangeStart, rangeEnd } from "./elementwise";

// @ts-ignore: decorator
@inline function inside(x: v128, g: v128, lo: v128, hi: v128): v128 {
  return v128.and(g, v128.and(f32x4.gt(x, lo), f32x4.lt(x, hi)));
}

/** gx[i] = lo < x[i] < hi ? g[i] : 0 (x: the forward's input; NaN x gives 0). */
export function hardtanhBackward(x: usize, g: usize, gx: usize, n: i32, lo: f32, hi: f32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const lv = f32x4.splat(lo), hv = f32x4.splat(hi);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    v128.store(gx + o, inside(v128.load(x + o), v128.load(g + o), lv, hv));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    store<f32>(gx + o, f32x4.extract_lane(inside(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(g + o)), lv, hv), 0));
  }
}
