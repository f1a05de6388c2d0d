// Data movement for add-with-broadcast and concat: strided row copies,
// repeated-operand adds and their reductions. Each output element is written
// by one thread; every sum runs in row order.
import { rangeStart, rangeEnd, unitStart } from "./elementwise";

/**
 * Copies `rows` rows of `rowFloats` floats from src (row stride srcStride
 * floats) to dst (row stride dstStride floats). Concat forward and its backward.
 */
export function copyRows(src: usize, dst: usize, rows: i32, rowFloats: i32, srcStride: i32, dstStride: i32, tid: i32, nthreads: i32): void {
  const r1 = unitStart(rows, tid + 1, nthreads);
  const bytes = <usize>rowFloats << 2;
  for (let r = unitStart(rows, tid, nthreads); r < r1; r++) {
    memory.copy(dst + ((<usize>r * dstStride) << 2), src + ((<usize>r * srcStride) << 2), bytes);
  }
}

/** out[i] = a[i] + b[i mod m] for i < n (n a multiple of m): a broadcast trailing operand. */
export function addRepeat(a: usize, b: usize, out: usize, n: i32, m: i32, tid: i32, nthreads: i32): void {
  let i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  if (m == 1) {
    const bv = load<f32>(b);
    const bs = f32x4.splat(bv);
    for (; i + 4 <= e; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(v128.load(a + o), bs));
    }
    for (; i < e; i++) store<f32>(out + (<usize>i << 2), load<f32>(a + (<usize>i << 2)) + bv);
    return;
  }
  let j = i % m;
  while (i < e) {
    if (j + 4 <= m && i + 4 <= e) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + (<usize>j << 2))));
      i += 4;
      j += 4;
    } else {
      store<f32>(out + (<usize>i << 2), load<f32>(a + (<usize>i << 2)) + load<f32>(b + (<usize>j << 2)));
      i++;
      j++;
    }
    if (j == m) j = 0;
  }
}

/** out[j] = Σ_r g[r·m + j] for j < m, summed in r order (the gradient of a broadcast operand). */
export function sumRepeat(g: usize, out: usize, rows: i32, m: i32, tid: i32, nthreads: i32): void {
  let j = rangeStart(m, tid, nthreads);
  const e = rangeEnd(m, tid, nthreads);
  const stride = <usize>m << 2;
  for (; j + 4 <= e; j += 4) {
    let s = f32x4.splat(0.0);
    let p = g + (<usize>j << 2);
    for (let r = 0; r < rows; r++, p += stride) s = f32x4.add(s, v128.load(p));
    v128.store(out + (<usize>j << 2), s);
  }
  for (; j < e; j++) {
    let s: f32 = 0.0;
    let p = g + (<usize>j << 2);
    for (let r = 0; r < rows; r++, p += stride) s += load<f32>(p);
    store<f32>(out + (<usize>j << 2), s);
  }
}
