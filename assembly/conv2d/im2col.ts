// Convolution helpers around the GEMM: im2col (forward, filter gradient),
// col2im as a gather (data gradient) and the bias gradient.
//
// Column layout for one image and a band of output rows [oh0, oh1):
//   col[r, j], r = (c*kH + kh)*kW + kw over all C channels, j = (oh-oh0)*OW + ow,
// so the rows of group g are the contiguous block [g*Cg*kH*kW, (g+1)*Cg*kH*kW)
// and every group's GEMM reads its own slice without another copy.
//
// Threads: im2col splits the rows r, col2im splits the input rows (c, ih) it
// writes and the bias gradient splits channels; each output value is produced
// by one thread in a fixed order, so results do not depend on the thread count.

import { unitStart } from "../elementwise";

// floor(a / b) for b > 0 and any sign of a.
// @ts-ignore: decorator
@inline function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The output columns ow in [lo, hi) whose input column ow*s - p + kw*d lies in [0, W).
// @ts-ignore: decorator
@inline function validLo(off: i32, s: i32): i32 {
  // smallest ow >= 0 with ow*s + off >= 0
  return off >= 0 ? 0 : (-off + s - 1) / s;
}
// @ts-ignore: decorator
@inline function validHi(off: i32, s: i32, W: i32, OW: i32): i32 {
  // one past the largest ow with ow*s + off <= W - 1
  const hi = floorDiv(W - 1 - off, s) + 1;
  return hi < 0 ? 0 : min(hi, OW);
}

function fillZero(p: usize, n: i32): void {
  if (n > 0) memory.fill(p, 0, <usize>n << 2);
}

/**
 * col[r, j] for the output rows [r0g, r1g) of x [N, C, H, W], counted over the
 * batch (row rg is row rg % OH of image rg / OH, so a band may span images);
 * j = (rg - r0g)*OW + ow. Out-of-image taps are zeros (the padding).
 */
export function im2col(
  x: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32,
  OW: i32, OH: i32, r0g: i32, r1g: i32, col: usize, tid: i32, nthreads: i32,
): void {
  const R = C * kH * kW;
  const cols = (r1g - r0g) * OW;
  const r0 = unitStart(R, tid, nthreads);
  const r1 = unitStart(R, tid + 1, nthreads);
  for (let r = r0; r < r1; r++) {
    const kw = r % kW;
    const kh = (r / kW) % kH;
    const c = r / (kW * kH);
    const off = kw * dW - pW; // iw = ow*sW + off
    const lo = validLo(off, sW);
    const hi = max(lo, validHi(off, sW, W, OW));
    let dst = col + (<usize>r * cols << 2);
    for (let rg = r0g; rg < r1g; rg++) {
      const oh = rg % OH;
      const plane = x + ((<usize>(rg / OH) * C + c) * H * W << 2);
      const ih = oh * sH - pH + kh * dH;
      if (ih < 0 || ih >= H) {
        fillZero(dst, OW);
      } else {
        fillZero(dst, lo);
        const src = plane + (<usize>(ih * W) << 2);
        if (sW == 1) {
          if (hi > lo) memory.copy(dst + (<usize>lo << 2), src + (<usize>(lo + off) << 2), <usize>(hi - lo) << 2);
        } else {
          let s = src + (<usize>(lo * sW + off) << 2);
          const step = <usize>sW << 2;
          for (let ow = lo; ow < hi; ow++) {
            store<f32>(dst + (<usize>ow << 2), load<f32>(s));
            s += step;
          }
        }
        fillZero(dst + (<usize>hi << 2), OW - hi);
      }
      dst += <usize>OW << 2;
    }
  }
}

/**
 * dx[c, ih, iw] += every dcol entry that im2col would have copied from it, for
 * the output rows [oh0, oh1) (the transpose of im2col, written as a gather so
 * each dx row is owned by one thread). Per element the order is kh then kw.
 */
export function col2imAdd(
  dcol: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32,
  OW: i32, oh0: i32, oh1: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  const cols = (oh1 - oh0) * OW;
  // input rows this band touches
  const ihLo = max(0, oh0 * sH - pH);
  const ihHi = min(H, (oh1 - 1) * sH - pH + (kH - 1) * dH + 1);
  const nRows = ihHi - ihLo;
  if (nRows <= 0) return;
  const items = C * nRows;
  const i0 = unitStart(items, tid, nthreads);
  const i1 = unitStart(items, tid + 1, nthreads);
  for (let it = i0; it < i1; it++) {
    const c = it / nRows;
    const ih = ihLo + it % nRows;
    const drow = dx + ((<usize>c * H + ih) * W << 2);
    for (let kh = 0; kh < kH; kh++) {
      const t = ih + pH - kh * dH; // = oh * sH
      if (t < oh0 * sH || t % sH != 0) continue;
      const oh = t / sH;
      if (oh >= oh1) continue;
      for (let kw = 0; kw < kW; kw++) {
        const r = (c * kH + kh) * kW + kw;
        const src = dcol + ((<usize>r * cols + (oh - oh0) * OW) << 2);
        const off = kw * dW - pW;
        const lo = validLo(off, sW);
        const hi = validHi(off, sW, W, OW);
        if (sW == 1) {
          let ow = lo;
          const d = drow + <usize>(off << 2); // off may be negative: wraps like a signed offset
          for (; ow + 4 <= hi; ow += 4) {
            const p = d + (<usize>ow << 2);
            v128.store(p, f32x4.add(v128.load(p), v128.load(src + (<usize>ow << 2))));
          }
          for (; ow < hi; ow++) {
            const p = d + (<usize>ow << 2);
            store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>ow << 2)));
          }
        } else {
          for (let ow = lo; ow < hi; ow++) {
            const p = drow + (<usize>(ow * sW + off) << 2);
            store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>ow << 2)));
          }
        }
      }
    }
  }
}

/**
 * db[c] = sum over n, then over the plane, of dy[n, c, :] (four lane sums
 * combined in a fixed order at the end of each plane).
 */
export function convBiasGrad(dy: usize, N: i32, C: i32, HW: i32, db: usize, tid: i32, nthreads: i32): void {
  const c0 = unitStart(C, tid, nthreads);
  const c1 = unitStart(C, tid + 1, nthreads);
  for (let c = c0; c < c1; c++) {
    let total: f32 = 0;
    for (let n = 0; n < N; n++) {
      const p = dy + ((<usize>n * C + c) * HW << 2);
      let acc = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= HW; i += 4) acc = f32x4.add(acc, v128.load(p + (<usize>i << 2)));
      let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; i < HW; i++) s += load<f32>(p + (<usize>i << 2));
      total += s;
    }
    store<f32>(db + (<usize>c << 2), total);
  }
}

/**
 * y[n, c0 + c, hw] = src[(p - p0)*C + c] (+ bias[c] when bias != 0) for the
 * pixels p in [p0, p1) counted over the batch (n = p / OHW, hw = p % OHW) and
 * c < C; y has Ctot channels. This writes the GEMM result of a band computed as
 * colᵀ·Wᵀ ([pixels, channels]) back as NCHW planes, with the bias added on the
 * way (one add after the sum, as the GEMM epilogue would). 4x4 blocks go
 * through registers; threads split the channels in blocks of 4.
 */
export function transposeRows(
  src: usize, p0: i32, p1: i32, C: i32, bias: usize, y: usize, Ctot: i32, c0: i32, OHW: i32, tid: i32, nthreads: i32,
): void {
  const blocks = (C + 3) >> 2;
  const b0 = unitStart(blocks, tid, nthreads);
  const b1 = unitStart(blocks, tid + 1, nthreads);
  let p = p0;
  while (p < p1) {
    const n = p / OHW;
    const hw = p % OHW;
    const rows = min(p1 - p, OHW - hw); // the part of the band in image n
    const dst = y + (((<usize>n * Ctot + c0) * OHW + hw) << 2);
    transposeBlock(src + (<usize>(p - p0) * C << 2), rows, C, bias, dst, OHW, b0, b1);
    p += rows;
  }
}

// dst[c * ldDst + j] = src[j * C + c] (+ bias[c]) for j < rows and the channel blocks [b0, b1).
function transposeBlock(src: usize, rows: i32, C: i32, bias: usize, dst: usize, ldDst: i32, b0: i32, b1: i32): void {
  const ldS = <usize>C << 2;
  const ldD = <usize>ldDst << 2;
  for (let bk = b0; bk < b1; bk++) {
    const c = bk << 2;
    if (c + 4 <= C) {
      const bv0 = f32x4.splat(bias ? load<f32>(bias + (<usize>c << 2)) : -0.0);
      const bv1 = f32x4.splat(bias ? load<f32>(bias + (<usize>(c + 1) << 2)) : -0.0);
      const bv2 = f32x4.splat(bias ? load<f32>(bias + (<usize>(c + 2) << 2)) : -0.0);
      const bv3 = f32x4.splat(bias ? load<f32>(bias + (<usize>(c + 3) << 2)) : -0.0);
      let j = 0;
      for (; j + 4 <= rows; j += 4) {
        const s = src + ((<usize>j * C + c) << 2);
        const r0 = v128.load(s), r1 = v128.load(s + ldS), r2 = v128.load(s + 2 * ldS), r3 = v128.load(s + 3 * ldS);
        const lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const d = dst + ((<usize>c * ldDst + j) << 2);
        v128.store(d, f32x4.add(v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5), bv0));
        v128.store(d + ldD, f32x4.add(v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7), bv1));
        v128.store(d + 2 * ldD, f32x4.add(v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), bv2));
        v128.store(d + 3 * ldD, f32x4.add(v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7), bv3));
      }
      for (; j < rows; j++) {
        for (let q = 0; q < 4; q++) {
          const bq: f32 = bias ? load<f32>(bias + (<usize>(c + q) << 2)) : -0.0; // x + -0 == x, also for x = -0
          store<f32>(dst + ((<usize>(c + q) * ldDst + j) << 2), load<f32>(src + ((<usize>j * C + c + q) << 2)) + bq);
        }
      }
    } else {
      for (let q = c; q < C; q++) {
        const bq: f32 = bias ? load<f32>(bias + (<usize>q << 2)) : -0.0;
        for (let j = 0; j < rows; j++) {
          store<f32>(dst + ((<usize>q * ldDst + j) << 2), load<f32>(src + ((<usize>j * C + q) << 2)) + bq);
        }
      }
    }
  }
}

/** y[c * ld + j] += bias[c] for c < C, j < cols (the bias of a W·col band, in SIMD). */
export function addBiasPlanes(y: usize, C: i32, cols: i32, ld: i32, bias: usize, tid: i32, nthreads: i32): void {
  const c0 = unitStart(C, tid, nthreads);
  const c1 = unitStart(C, tid + 1, nthreads);
  for (let c = c0; c < c1; c++) {
    const b = load<f32>(bias + (<usize>c << 2));
    const bv = f32x4.splat(b);
    const row = y + (<usize>c * ld << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const p = row + (<usize>j << 2);
      v128.store(p, f32x4.add(v128.load(p), bv));
    }
    for (; j < cols; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + b);
    }
  }
}
