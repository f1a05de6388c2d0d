// Inference-only element-wise kernels (no autograd: they overwrite an input).
import { rangeStart, rangeEnd, unitStart } from "./elementwise";

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

/**
 * In place over planes [N·C, S]: y = y·scale[c] + shift[c] (y + shift[c] when
 * scale is 0), then max(·, 0) when relu is not 0. A convolution's bias, or an
 * eval-mode batch norm, with the ReLU after it in one pass. The arithmetic is
 * addBiasPlanes' add, or bnApply's multiply-add, then reluForward's max: the
 * same bits as those passes one after another. Threads take whole planes.
 */
export function affinePlanesInPlace(y: usize, planes: i32, C: i32, S: i32, scale: usize, shift: usize, relu: i32, tid: i32, nthreads: i32): void {
  const u1 = unitStart(planes, tid + 1, nthreads);
  const zero = f32x4.splat(0.0);
  for (let u = unitStart(planes, tid, nthreads); u < u1; u++) {
    const o = <usize>(u % C) << 2;
    const a = scale != 0 ? load<f32>(scale + o) : <f32>1.0;
    const sh = load<f32>(shift + o);
    const av = f32x4.splat(a);
    const shv = f32x4.splat(sh);
    const row = y + (<usize>u * S << 2);
    let s = 0;
    for (; s + 4 <= S; s += 4) {
      const p = row + (<usize>s << 2);
      let v = scale != 0 ? f32x4.add(f32x4.mul(v128.load(p), av), shv) : f32x4.add(v128.load(p), shv);
      if (relu != 0) v = f32x4.max(v, zero);
      v128.store(p, v);
    }
    for (; s < S; s++) {
      const p = row + (<usize>s << 2);
      let v: f32 = scale != 0 ? load<f32>(p) * a + sh : load<f32>(p) + sh;
      if (relu != 0) v = f32x4.extract_lane(f32x4.max(f32x4.splat(v), zero), 0);
      store<f32>(p, v);
    }
  }
}
