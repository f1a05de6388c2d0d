// Element-wise loops. Each thread takes one contiguous, 16-element aligned
// range, so an element's value never depends on the thread count.

// @ts-ignore: decorator
@inline export function rangeStart(n: i32, tid: i32, nthreads: i32): i32 {
  const per = (((n + nthreads - 1) / nthreads + 15) >> 4) << 4;
  return min(n, tid * per);
}
// @ts-ignore: decorator
@inline export function rangeEnd(n: i32, tid: i32, nthreads: i32): i32 {
  const per = (((n + nthreads - 1) / nthreads + 15) >> 4) << 4;
  return min(n, (tid + 1) * per);
}

/** First of the whole units (rows, channels…) that thread `tid` owns: contiguous, fixed per unit. */
// @ts-ignore: decorator
@inline export function unitStart(units: i32, tid: i32, nthreads: i32): i32 {
  return <i32>((<i64>units * tid) / nthreads);
}

/** dst[j] += src[j] for j < n, on the calling thread (also the Winograd filter gradients' partial sums). */
// @ts-ignore: decorator
@inline export function addFloats(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dst[i] += src[i] */
export function addInPlace(dst: usize, src: usize, n: i32, tid: i32, nthreads: i32): void {
  const i = rangeStart(n, tid, nthreads);
  const o = <usize>i << 2;
  addFloats(dst + o, src + o, rangeEnd(n, tid, nthreads) - i);
}

/** out[i] = a[i] + b[i] */
export function add(a: usize, b: usize, out: usize, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** dst[i] = v */
export function fill(dst: usize, v: f32, n: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const vv = f32x4.splat(v);
  for (; i + 4 <= e; i += 4) v128.store(dst + (<usize>i << 2), vv);
  for (; i < e; i++) store<f32>(dst + (<usize>i << 2), v);
}
