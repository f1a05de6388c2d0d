// Depthwise forward for small planes (MobileNetV2's 28x28, 14x14 and 7x7 layers):
// depthwise.ts computes the columns whose taps reach into the padding one by
// one (scalar, with bounds checks), which is 2 of every 14 and 3 of every 7
// outputs there and most of the time. Here each input plane is first copied
// into a per-thread scratch plane with a zero border wide enough for every tap
// of every 4-column vector, so every output is computed by vectors with no
// bounds checks; a row's last vector stores only its columns inside the row.
//
// Same bits as depthwise.ts for finite weights: the sum runs from 0 over the
// taps in (kh, kw) order with the same multiply-add (madd); a padding tap adds
// w·0 = ±0, and the running sum is never -0 (it starts at +0 and a rounded sum
// is -0 only when both terms are), so adding ±0 leaves it unchanged. (With an
// infinite or NaN weight, w·0 is NaN where depthwise.ts skips the tap; PyTorch
// multiplies the zero padding too.)
//
// Threads: the (n, oc) output planes are split as in depthwise.ts; each thread
// uses its own scratch plane. Every value comes from one thread in a fixed order.
import { loadStrided, vector3x3 } from "./depthwise";
import { madd } from "../madd";

/** Rows of the padded scratch plane. */
export function depthwisePaddedRows(H: i32, kH: i32, sH: i32, pH: i32, dH: i32, OH: i32): i32 {
  return max(H + 2 * pH, (OH - 1) * sH + (kH - 1) * dH + 1);
}

/** Columns of the padded scratch plane: every tap of the last 4-column vector (and the 8 floats a stride-2 load reads) inside. */
export function depthwisePaddedCols(W: i32, kW: i32, sW: i32, pW: i32, dW: i32, OW: i32): i32 {
  const vectors = (OW + 3) >> 2;
  return max(W + 2 * pW, ((vectors << 2) - 1) * sW + (kW - 1) * dW + 1) + 8;
}

// Lanes 0..n-1 of v to p (n < 4).
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p + 4, f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(p + 8, f32x4.extract_lane(v, 2));
}

// One output plane of a 3x3 kernel, the nine weights in registers: the general
// loop's sums in the same (kh, kw) order. Inlined with a constant stride sW.
// @ts-ignore: decorator
@inline function planeOf3x3(
  sp: usize, Wp: i32, wp: usize, yp: usize, OH: i32, OW: i32, sH: i32, sW: i32, dH: i32, dW: i32,
  vb: v128, full: i32, tail: i32,
): void {
  const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp + 4), w2 = v128.load32_splat(wp + 8);
  const w3 = v128.load32_splat(wp + 12), w4 = v128.load32_splat(wp + 16), w5 = v128.load32_splat(wp + 20);
  const w6 = v128.load32_splat(wp + 24), w7 = v128.load32_splat(wp + 28), w8 = v128.load32_splat(wp + 32);
  const d = <usize>dW << 2;
  const rowStep = <usize>(dH * Wp) << 2;
  for (let oh = 0; oh < OH; oh++) {
    const x0 = sp + (<usize>(oh * sH * Wp) << 2), x1 = x0 + rowStep, x2 = x1 + rowStep;
    const yr = yp + (<usize>(oh * OW) << 2);
    for (let ow = 0; ow < OW; ow += 4) {
      const o = <usize>(ow * sW) << 2;
      const a = f32x4.add(vector3x3(x0 + o, x1 + o, x2 + o, d, sW, w0, w1, w2, w3, w4, w5, w6, w7, w8), vb);
      if (ow < full) v128.store(yr + (<usize>ow << 2), a);
      else storeLanes(yr + (<usize>ow << 2), a, tail);
    }
  }
}

/**
 * y planes [N, C·M, OH, OW] from x [N, C, H, W], w [C·M, 1, kH, kW], bias b (0: none),
 * through scratch: nthreads planes of depthwisePaddedRows x depthwisePaddedCols floats.
 */
export function depthwiseForwardPadded(
  x: usize, N: i32, C: i32, H: i32, W: i32, M: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32,
  w: usize, b: usize, y: usize, OH: i32, OW: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const OC = C * M;
  const planes = N * OC;
  const p0 = <i32>(<i64>planes * tid / nthreads), p1 = <i32>(<i64>planes * (tid + 1) / nthreads);
  if (p0 >= p1) return;
  const Hp = depthwisePaddedRows(H, kH, sH, pH, dH, OH);
  const Wp = depthwisePaddedCols(W, kW, sW, pW, dW, OW);
  const sp = scratch + (<usize>(tid * Hp * Wp) << 2);
  // The border stays zero: only the interior is written below, plane after plane.
  memory.fill(sp, 0, <usize>(Hp * Wp) << 2);
  const taps = kH * kW;
  const full = OW & ~3, tail = OW - full;
  let copied = -1; // the input plane in the scratch now (a channel multiplier reuses it)
  for (let pl = p0; pl < p1; pl++) {
    const n = pl / OC, oc = pl - n * OC;
    const src = n * C + oc / M;
    if (src != copied) {
      const xp = x + (<usize>(src * H * W) << 2);
      for (let ih = 0; ih < H; ih++) memory.copy(sp + (<usize>((ih + pH) * Wp + pW) << 2), xp + (<usize>(ih * W) << 2), <usize>W << 2);
      copied = src;
    }
    const wp = w + (<usize>(oc * taps) << 2);
    const vb = f32x4.splat(b ? load<f32>(b + (<usize>oc << 2)) : 0);
    const yp = y + (<usize>(pl * OH * OW) << 2);
    if (kH == 3 && kW == 3) {
      if (sW == 1) planeOf3x3(sp, Wp, wp, yp, OH, OW, sH, 1, dH, dW, vb, full, tail);
      else if (sW == 2) planeOf3x3(sp, Wp, wp, yp, OH, OW, sH, 2, dH, dW, vb, full, tail);
      else planeOf3x3(sp, Wp, wp, yp, OH, OW, sH, sW, dH, dW, vb, full, tail);
      continue;
    }
    for (let oh = 0; oh < OH; oh++) {
      const xr0 = sp + (<usize>(oh * sH * Wp) << 2);
      const yr = yp + (<usize>(oh * OW) << 2);
      for (let ow = 0; ow < OW; ow += 4) {
        let a = f32x4.splat(0);
        for (let kh = 0; kh < kH; kh++) {
          const xr = xr0 + (<usize>(kh * dH * Wp + ow * sW) << 2);
          const wr = wp + (<usize>(kh * kW) << 2);
          for (let kw = 0; kw < kW; kw++) {
            a = madd(a, v128.load32_splat(wr + (<usize>kw << 2)), loadStrided(xr + (<usize>(kw * dW) << 2), sW));
          }
        }
        a = f32x4.add(a, vb);
        if (ow < full) v128.store(yr + (<usize>ow << 2), a);
        else storeLanes(yr + (<usize>ow << 2), a, tail);
      }
    }
  }
}
