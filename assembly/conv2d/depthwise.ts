// Depthwise convolution (groups == C, one input channel per group, OC = C·M
// with channel multiplier M): each output plane is one input plane filtered by
// one kH x kW kernel. The im2col path ran this as C tiny GEMMs (M = M, K = kH·kW)
// plus a column buffer per group: mostly overhead. Here every plane is computed
// directly, vectorised along the output width.
//
// Forward: y[n, oc, oh, ow] = Σ_(kh, kw) w[oc, kh, kw]·x[n, oc/M, ih, iw] over the
// taps inside the input (padding taps are skipped, not added as zeros), summed
// from 0 in (kh, kw) order, then + bias. Four output columns per vector; a
// column is vectorised when all kW taps of its 4 lanes lie inside the row
// (stride 1: one load, stride 2: two loads and a shuffle, other strides: lane
// by lane). The columns at the padded edges take the scalar loop, which skips
// the same taps in the same order with the same multiply-add (madd/smadd), so
// every output has the same bits whichever loop computed it.
//
// Data gradient: dx[n, c] = Σ_m Σ_(kh, kw) scatter of w[c·M+m, kh, kw]·dy[n, c·M+m]
// into the input plane shifted by the tap, in (m, kh, kw, oh, ow) order, into a
// plane cleared first. Stride 1 adds 4 columns per vector; other strides scatter
// lane by lane.
//
// Filter gradient: dw[oc, kh, kw] = Σ_(n, oh) of one row's products; a row's
// vectorisable columns go into 4 lane sums, its edge columns into a scalar sum,
// and the row total (lanes 0+1+2+3 then + edges) is added to the running total
// image by image, row by row. One thread owns each (oc, tap), so the order is
// fixed.
//
// The forward here is for planes whose zero-padded copy would not fit the scratch
// limit (src/ops/conv2d-depthwise.ts); smaller ones take depthwise-padded.ts, which
// gives these bits with vectors for the edge columns too.
//
// Threads: forward splits (n, oc) output planes, the data gradient (n, c) input
// planes, the filter gradient output channels. Every value is computed by one
// thread in a fixed order: the bits do not depend on the thread count.
import { madd } from "../madd";

import { unitStart } from "../elementwise";

// Scalar acc + a·b rounded like madd's lanes: fused in the relaxed build (whose
// relaxed_madd is an FMA on x86 and ARM), separate otherwise.
// @ts-ignore: decorator
@inline function smadd(acc: f32, a: f32, b: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(acc)), 0);
  return acc + a * b;
}

// Four floats at p, p + s, p + 2s, p + 3s (s in floats).
// @ts-ignore: decorator
@inline export function loadStrided(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2) return i32x4.shuffle(v128.load(p), v128.load(p + 16), 0, 2, 4, 6);
  const sb = <usize>s << 2;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + sb));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * sb));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * sb));
}

// Floats a strided 4-vector reads from its first element on.
// @ts-ignore: decorator
@inline function vectorReach(s: i32): i32 {
  return s == 2 ? 8 : 3 * s + 1;
}

// First output column whose leftmost tap is inside the row.
// @ts-ignore: decorator
@inline function firstInner(s: i32, p: i32): i32 {
  return (p + s - 1) / s;
}

// Output columns [lo, hi) whose 4-lane vectors starting there stay inside the row
// for every tap; hi <= lo when none.
// @ts-ignore: decorator
@inline function lastVectorStart(W: i32, kW: i32, s: i32, p: i32, d: i32, OW: i32): i32 {
  const room = W - vectorReach(s) + p - (kW - 1) * d; // ow·s <= room
  if (room < 0) return -1;
  return min(room / s, OW - 4);
}

/** y planes [N, C·M, OH, OW] from x [N, C, H, W], w [C·M, 1, kH, kW], bias b (0: none). */
export function depthwiseForward(
  x: usize, N: i32, C: i32, H: i32, W: i32, M: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32,
  w: usize, b: usize, y: usize, OH: i32, OW: i32, tid: i32, nthreads: i32,
): void {
  const OC = C * M;
  const planes = N * OC;
  const p0 = unitStart(planes, tid, nthreads), p1 = unitStart(planes, tid + 1, nthreads);
  const lo = firstInner(sW, pW);
  const vEnd = lastVectorStart(W, kW, sW, pW, dW, OW);
  const taps = kH * kW;
  for (let pl = p0; pl < p1; pl++) {
    const n = pl / OC, oc = pl - n * OC;
    const xp = x + (<usize>((n * C + oc / M) * H * W) << 2);
    const wp = w + (<usize>(oc * taps) << 2);
    const bias: f32 = b ? load<f32>(b + (<usize>oc << 2)) : 0;
    const vb = f32x4.splat(bias);
    const yp = y + (<usize>(pl * OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sH - pH;
      // Taps kh with ih0 + kh·dH inside [0, H).
      const kh0 = ih0 >= 0 ? 0 : (-ih0 + dH - 1) / dH;
      const kh1 = min(kH, (H - ih0 + dH - 1) / dH);
      const yr = yp + (<usize>(oh * OW) << 2);
      let ow = 0;
      // Left edge and anything before the vectors: scalar.
      const vStart = vEnd >= lo ? lo : OW;
      for (; ow < vStart; ow++) store<f32>(yr + (<usize>ow << 2), scalarOut(xp, W, wp, kW, kh0, kh1, ih0, dH, ow * sW - pW, dW) + bias);
      if (kH == 3 && kW == 3 && kh0 == 0 && kh1 == 3 && ow <= vEnd) {
        const x0 = xp + (<usize>(ih0 * W - pW) << 2), rowStep = <usize>(dH * W) << 2;
        if (sW == 1) ow = rowOf3x3(x0, rowStep, wp, yr, ow, vEnd, 1, dW, vb);
        else if (sW == 2) ow = rowOf3x3(x0, rowStep, wp, yr, ow, vEnd, 2, dW, vb);
        else ow = rowOf3x3(x0, rowStep, wp, yr, ow, vEnd, sW, dW, vb);
      }
      for (; ow + 4 <= vEnd; ow += 8) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
        for (let kh = kh0; kh < kh1; kh++) {
          const xr = xp + (<usize>((ih0 + kh * dH) * W + ow * sW - pW) << 2);
          const wr = wp + (<usize>(kh * kW) << 2);
          for (let kw = 0; kw < kW; kw++) {
            const wv = v128.load32_splat(wr + (<usize>kw << 2));
            const q = xr + (<usize>(kw * dW) << 2);
            a0 = madd(a0, wv, loadStrided(q, sW));
            a1 = madd(a1, wv, loadStrided(q + (<usize>(4 * sW) << 2), sW));
          }
        }
        v128.store(yr + (<usize>ow << 2), f32x4.add(a0, vb));
        v128.store(yr + (<usize>(ow + 4) << 2), f32x4.add(a1, vb));
      }
      for (; ow <= vEnd; ow += 4) {
        let a0 = f32x4.splat(0);
        for (let kh = kh0; kh < kh1; kh++) {
          const xr = xp + (<usize>((ih0 + kh * dH) * W + ow * sW - pW) << 2);
          const wr = wp + (<usize>(kh * kW) << 2);
          for (let kw = 0; kw < kW; kw++) {
            a0 = madd(a0, v128.load32_splat(wr + (<usize>kw << 2)), loadStrided(xr + (<usize>(kw * dW) << 2), sW));
          }
        }
        v128.store(yr + (<usize>ow << 2), f32x4.add(a0, vb));
      }
      // Right edge and the remainder: scalar.
      for (; ow < OW; ow++) store<f32>(yr + (<usize>ow << 2), scalarOut(xp, W, wp, kW, kh0, kh1, ih0, dH, ow * sW - pW, dW) + bias);
    }
  }
}

// A 3x3 row with all three kernel rows inside the input: the nine weights stay
// in registers, 12 outputs per step. x0: input row of kh = 0 at column 0 - pW;
// rowStep: bytes between kernel rows. Computes vectors from ow while ow <= vEnd
// (stepping by 12, then 4) and returns the next column. Same sums, same order
// as the general loop (from 0, taps in (kh, kw) order). Inlined at call sites
// with a constant stride, so loadStrided's branch folds away.
// @ts-ignore: decorator
@inline function rowOf3x3(x0: usize, rowStep: usize, wp: usize, yr: usize, ow: i32, vEnd: i32, sW: i32, dW: i32, vb: v128): i32 {
  const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp + 4), w2 = v128.load32_splat(wp + 8);
  const w3 = v128.load32_splat(wp + 12), w4 = v128.load32_splat(wp + 16), w5 = v128.load32_splat(wp + 20);
  const w6 = v128.load32_splat(wp + 24), w7 = v128.load32_splat(wp + 28), w8 = v128.load32_splat(wp + 32);
  const x1 = x0 + rowStep, x2 = x1 + rowStep;
  const d = <usize>dW << 2;
  const vstep = <usize>(4 * sW) << 2;
  for (; ow + 8 <= vEnd; ow += 12) {
    const o = <usize>(ow * sW) << 2;
    let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0);
    a = madd(a, w0, loadStrided(x0 + o, sW)); b = madd(b, w0, loadStrided(x0 + o + vstep, sW)); c = madd(c, w0, loadStrided(x0 + o + 2 * vstep, sW));
    a = madd(a, w1, loadStrided(x0 + o + d, sW)); b = madd(b, w1, loadStrided(x0 + o + d + vstep, sW)); c = madd(c, w1, loadStrided(x0 + o + d + 2 * vstep, sW));
    a = madd(a, w2, loadStrided(x0 + o + 2 * d, sW)); b = madd(b, w2, loadStrided(x0 + o + 2 * d + vstep, sW)); c = madd(c, w2, loadStrided(x0 + o + 2 * d + 2 * vstep, sW));
    a = madd(a, w3, loadStrided(x1 + o, sW)); b = madd(b, w3, loadStrided(x1 + o + vstep, sW)); c = madd(c, w3, loadStrided(x1 + o + 2 * vstep, sW));
    a = madd(a, w4, loadStrided(x1 + o + d, sW)); b = madd(b, w4, loadStrided(x1 + o + d + vstep, sW)); c = madd(c, w4, loadStrided(x1 + o + d + 2 * vstep, sW));
    a = madd(a, w5, loadStrided(x1 + o + 2 * d, sW)); b = madd(b, w5, loadStrided(x1 + o + 2 * d + vstep, sW)); c = madd(c, w5, loadStrided(x1 + o + 2 * d + 2 * vstep, sW));
    a = madd(a, w6, loadStrided(x2 + o, sW)); b = madd(b, w6, loadStrided(x2 + o + vstep, sW)); c = madd(c, w6, loadStrided(x2 + o + 2 * vstep, sW));
    a = madd(a, w7, loadStrided(x2 + o + d, sW)); b = madd(b, w7, loadStrided(x2 + o + d + vstep, sW)); c = madd(c, w7, loadStrided(x2 + o + d + 2 * vstep, sW));
    a = madd(a, w8, loadStrided(x2 + o + 2 * d, sW)); b = madd(b, w8, loadStrided(x2 + o + 2 * d + vstep, sW)); c = madd(c, w8, loadStrided(x2 + o + 2 * d + 2 * vstep, sW));
    const y = yr + (<usize>ow << 2);
    v128.store(y, f32x4.add(a, vb));
    v128.store(y + 16, f32x4.add(b, vb));
    v128.store(y + 32, f32x4.add(c, vb));
  }
  for (; ow <= vEnd; ow += 4) {
    const o = <usize>(ow * sW) << 2;
    v128.store(yr + (<usize>ow << 2), f32x4.add(vector3x3(x0 + o, x1 + o, x2 + o, d, sW, w0, w1, w2, w3, w4, w5, w6, w7, w8), vb));
  }
  return ow;
}

// Four outputs of a 3x3 kernel from 0 in (kh, kw) order: x0, x1, x2 the first
// column of each kernel row, d the dilation in bytes. Shared with depthwise-padded.ts.
// @ts-ignore: decorator
@inline export function vector3x3(
  x0: usize, x1: usize, x2: usize, d: usize, sW: i32,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128,
): v128 {
  let a = f32x4.splat(0);
  a = madd(a, w0, loadStrided(x0, sW));
  a = madd(a, w1, loadStrided(x0 + d, sW));
  a = madd(a, w2, loadStrided(x0 + 2 * d, sW));
  a = madd(a, w3, loadStrided(x1, sW));
  a = madd(a, w4, loadStrided(x1 + d, sW));
  a = madd(a, w5, loadStrided(x1 + 2 * d, sW));
  a = madd(a, w6, loadStrided(x2, sW));
  a = madd(a, w7, loadStrided(x2 + d, sW));
  return madd(a, w8, loadStrided(x2 + 2 * d, sW));
}

// One output: Σ over taps kh in [kh0, kh1) and kw with iw0 + kw·dW inside the row.
// @ts-ignore: decorator
@inline function scalarOut(xp: usize, W: i32, wp: usize, kW: i32, kh0: i32, kh1: i32, ih0: i32, dH: i32, iw0: i32, dW: i32): f32 {
  let acc: f32 = 0;
  for (let kh = kh0; kh < kh1; kh++) {
    const xr = xp + (<usize>((ih0 + kh * dH) * W) << 2);
    const wr = wp + (<usize>(kh * kW) << 2);
    for (let kw = 0; kw < kW; kw++) {
      const iw = iw0 + kw * dW;
      if (iw < 0 || iw >= W) continue;
      acc = smadd(acc, load<f32>(wr + (<usize>kw << 2)), load<f32>(xr + (<usize>iw << 2)));
    }
  }
  return acc;
}

/** dx [N, C, H, W] (overwritten) from dy [N, C·M, OH, OW] and w [C·M, 1, kH, kW]. */
export function depthwiseDataGrad(
  dy: usize, N: i32, C: i32, H: i32, W: i32, M: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32,
  w: usize, dx: usize, OH: i32, OW: i32, tid: i32, nthreads: i32,
): void {
  const planes = N * C;
  const p0 = unitStart(planes, tid, nthreads), p1 = unitStart(planes, tid + 1, nthreads);
  const HW = H * W;
  for (let pl = p0; pl < p1; pl++) {
    const xp = dx + (<usize>(pl * HW) << 2);
    memory.fill(xp, 0, <usize>HW << 2);
    const n = pl / C, c = pl - n * C;
    for (let m = 0; m < M; m++) {
      const oc = c * M + m;
      const gp = dy + (<usize>((n * C * M + oc) * OH * OW) << 2);
      const wp = w + (<usize>(oc * kH * kW) << 2);
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const wt = load<f32>(wp + (<usize>(kh * kW + kw) << 2));
          const wv = f32x4.splat(wt);
          const off = kw * dW - pW; // iw = ow·sW + off
          // Columns with iw inside [0, W): ow in [owA, owB).
          const owA = off >= 0 ? 0 : (-off + sW - 1) / sW;
          const owB = min(OW, (W - off + sW - 1) / sW);
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sH - pH + kh * dH;
            if (ih < 0 || ih >= H) continue;
            const gr = gp + (<usize>(oh * OW) << 2);
            const xr = xp + (<usize>(ih * W + off) << 2);
            let ow = owA;
            if (sW == 1) {
              for (; ow + 4 <= owB; ow += 4) {
                const q = xr + (<usize>ow << 2);
                v128.store(q, madd(v128.load(q), wv, v128.load(gr + (<usize>ow << 2))));
              }
            }
            for (; ow < owB; ow++) {
              const q = xr + (<usize>(ow * sW) << 2);
              store<f32>(q, smadd(load<f32>(q), wt, load<f32>(gr + (<usize>ow << 2))));
            }
          }
        }
      }
    }
  }
}

/** dw [C·M, 1, kH, kW] (overwritten) = Σ over the batch of x ⋆ dy, from x [N, C, H, W] and dy [N, C·M, OH, OW]. */
export function depthwiseFilterGrad(
  x: usize, N: i32, C: i32, H: i32, W: i32, M: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32,
  dy: usize, dw: usize, OH: i32, OW: i32, tid: i32, nthreads: i32,
): void {
  const OC = C * M;
  const c0 = unitStart(OC, tid, nthreads), c1 = unitStart(OC, tid + 1, nthreads);
  const lo = firstInner(sW, pW);
  const vEnd = lastVectorStart(W, kW, sW, pW, dW, OW);
  const vStart = vEnd >= lo ? lo : OW;
  for (let oc = c0; oc < c1; oc++) {
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const off = kw * dW - pW;
        let total: f32 = 0;
        for (let n = 0; n < N; n++) {
          const xp = x + (<usize>((n * C + oc / M) * H * W) << 2);
          const gp = dy + (<usize>((n * OC + oc) * OH * OW) << 2);
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sH - pH + kh * dH;
            if (ih < 0 || ih >= H) continue;
            const xr = xp + (<usize>(ih * W) << 2);
            const gr = gp + (<usize>(oh * OW) << 2);
            let edge: f32 = 0;
            let lanes = f32x4.splat(0);
            let ow = 0;
            for (; ow < vStart; ow++) {
              const iw = ow * sW + off;
              if (iw >= 0 && iw < W) edge = smadd(edge, load<f32>(gr + (<usize>ow << 2)), load<f32>(xr + (<usize>iw << 2)));
            }
            for (; ow <= vEnd; ow += 4) {
              lanes = madd(lanes, v128.load(gr + (<usize>ow << 2)), loadStrided(xr + (<usize>(ow * sW + off) << 2), sW));
            }
            for (; ow < OW; ow++) {
              const iw = ow * sW + off;
              if (iw >= 0 && iw < W) edge = smadd(edge, load<f32>(gr + (<usize>ow << 2)), load<f32>(xr + (<usize>iw << 2)));
            }
            const row = f32x4.extract_lane(lanes, 0) + f32x4.extract_lane(lanes, 1) +
              f32x4.extract_lane(lanes, 2) + f32x4.extract_lane(lanes, 3) + edge;
            total += row;
          }
        }
        store<f32>(dw + (<usize>((oc * kH + kh) * kW + kw) << 2), total);
      }
    }
  }
}
