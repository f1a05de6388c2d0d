// Inference-only element-wise kernels (no autograd: they overwrite an input).
import { rangeStart, rangeEnd } from "./elementwise";

/**
 * dst[i] = max(dst[i] + src[i], 0): a residual block's add and ReLU in one
 * pass, in place. Same adds and the same max as `add` then `reluForward`, so
 * the same bits as the two-pass form.
 */
export function addReluInPlace(dst: usize, src: usize, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const zero = f32x4.splat(0.0);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.max(f32x4.add(v128.load(dst + o), v128.load(src + o)), zero));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    const s = f32x4.splat(load<f32>(dst + o) + load<f32>(src + o));
    store<f32>(dst + o, f32x4.extract_lane(f32x4.max(s, zero), 0));
  }
}
