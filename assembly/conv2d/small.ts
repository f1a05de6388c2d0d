// Direct convolution for small layers (LeNet's 5x5 convs: few channels, small
// planes, stride 1, no padding): no im2col, no GEMM packing, no per-image calls.
// In such layers the GEMM path spent more time building columns, packing and
// copying partial 5x8 tiles (6 or 16 output channels) than multiplying.
//
// Forward: y[n, oc, oh, ow] = Σ_(c,kh,kw) w[oc, c, kh, kw]·x[n, c, oh+kh, ow+kw]
// summed from 0 in (c, kh, kw) order, then + bias: the same k order and the same
// single bias add as the im2col GEMM path, so the same bits. A tile is 4 output
// channels x two 4-wide vectors of output pixels (8 accumulators; weights read
// as splats from a packed [tap][OCp] copy, input rows read unaligned from L1).
// A row's vectors start at 0, 4, ... and the last one at OW-4 (it may overlap
// the one before: those outputs are computed twice, identically).
//
// Data gradient (convSmallDataGrad): per tap (kh, kw) in order, the sum over
// output channels is added into dx shifted by the tap: the im2col path's GEMM
// then col2im order, so its bits. (Rows are padded to whole vectors with zeros,
// which add +0: exact, except that an infinite or NaN weight times a padded
// zero gives NaN where the im2col path, which skips the padding, may not.)
//
// Filter gradient: dw[oc, tap] = Σ_(n, oh, ow) dy[n, oc, oh, ow]·x[n, c, oh+kh, ow+kw]
// as one chain per element in (n, oh, ow) order from 0: the GEMM path's order,
// the same bits. dy is first transposed to pixel-major [N·OH·OW, OCp] so one
// vector load gives 4 channels; a tile is 8 channels x 4 taps.
//
// Threads: the forward kernel splits images, the filter gradient splits
// (channel block, tap block) tiles; every output value is computed by one thread
// in a fixed order, so the bits do not depend on the thread count.
import { madd } from "../madd";

import { unitStart } from "../elementwise";


/**
 * dst[tap * OCp + o] for the forward pass (flip = 0): tap = (c, kh, kw), o = oc,
 * value w[oc, c, kh, kw]. For the data gradient (flip = 1): tap = (oc, kh, kw),
 * o = c, value w[oc, c, kH-1-kh, kW-1-kw]. Columns o past the output count are 0.
 */
export function packConvWeights(w: usize, OC: i32, C: i32, kH: i32, kW: i32, flip: i32, dst: usize, OCp: i32, tid: i32, nthreads: i32): void {
  if (tid != 0) return;
  const taps = kH * kW;
  const outs = flip ? C : OC;
  const ins = flip ? OC : C;
  for (let i = 0; i < ins; i++) {
    for (let t = 0; t < taps; t++) {
      const row = dst + (<usize>((i * taps + t) * OCp) << 2);
      for (let o = 0; o < OCp; o++) {
        let v: f32 = 0;
        if (o < outs) {
          v = flip
            ? load<f32>(w + (<usize>((i * C + o) * taps + taps - 1 - t) << 2))
            : load<f32>(w + (<usize>((o * C + i) * taps + t) << 2));
        }
        store<f32>(row + (<usize>o << 2), v);
      }
    }
  }
}

// 4 channels x 2 pixel vectors (at byte offsets xa/xb in the input image, ya/yb
// in the output plane). wp: packed weights at this channel block.
function forwardTile(
  C: i32, kH: i32, kW: i32, HWb: usize, Wb: usize, OCpB: usize,
  xa: usize, xb: usize, wp: usize,
  ya: usize, yb: usize, planeB: usize, rows: i32, bias: usize,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  const dab = xb - xa;
  let w = wp;
  for (let c = 0; c < C; c++) {
    let row = xa + <usize>c * HWb;
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const p = row + (<usize>kw << 2);
        const va = v128.load(p);
        const vb = v128.load(p + dab);
        let s = v128.load32_splat(w);
        a0 = madd(a0, s, va); b0 = madd(b0, s, vb);
        s = v128.load32_splat(w, 4);
        a1 = madd(a1, s, va); b1 = madd(b1, s, vb);
        s = v128.load32_splat(w, 8);
        a2 = madd(a2, s, va); b2 = madd(b2, s, vb);
        s = v128.load32_splat(w, 12);
        a3 = madd(a3, s, va); b3 = madd(b3, s, vb);
        w += OCpB;
      }
      row += Wb;
    }
  }
  if (bias) {
    a0 = f32x4.add(a0, v128.load32_splat(bias)); b0 = f32x4.add(b0, v128.load32_splat(bias));
    if (rows > 1) { a1 = f32x4.add(a1, v128.load32_splat(bias, 4)); b1 = f32x4.add(b1, v128.load32_splat(bias, 4)); }
    if (rows > 2) { a2 = f32x4.add(a2, v128.load32_splat(bias, 8)); b2 = f32x4.add(b2, v128.load32_splat(bias, 8)); }
    if (rows > 3) { a3 = f32x4.add(a3, v128.load32_splat(bias, 12)); b3 = f32x4.add(b3, v128.load32_splat(bias, 12)); }
  }
  v128.store(ya, a0); v128.store(yb, b0);
  if (rows > 1) { v128.store(ya + planeB, a1); v128.store(yb + planeB, b1); }
  if (rows > 2) { v128.store(ya + 2 * planeB, a2); v128.store(yb + 2 * planeB, b2); }
  if (rows > 3) { v128.store(ya + 3 * planeB, a3); v128.store(yb + 3 * planeB, b3); }
}

// 2 channels x 4 pixel vectors: the last two channels of 4k+2 (LeNet's 6),
// which a 4-channel tile would half waste.
function forwardTile2(
  C: i32, kH: i32, kW: i32, HWb: usize, Wb: usize, OCpB: usize,
  xa: usize, xb: usize, xc: usize, xd: usize, wp: usize,
  ya: usize, yb: usize, yc: usize, yd: usize, planeB: usize, bias: usize,
): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), c0 = f32x4.splat(0), d0 = f32x4.splat(0);
  let a1 = f32x4.splat(0), b1 = f32x4.splat(0), c1 = f32x4.splat(0), d1 = f32x4.splat(0);
  const dab = xb - xa, dac = xc - xa, dad = xd - xa;
  let w = wp;
  for (let c = 0; c < C; c++) {
    let row = xa + <usize>c * HWb;
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const p = row + (<usize>kw << 2);
        const s0 = v128.load32_splat(w);
        const s1 = v128.load32_splat(w, 4);
        let v = v128.load(p);
        a0 = madd(a0, s0, v); a1 = madd(a1, s1, v);
        v = v128.load(p + dab);
        b0 = madd(b0, s0, v); b1 = madd(b1, s1, v);
        v = v128.load(p + dac);
        c0 = madd(c0, s0, v); c1 = madd(c1, s1, v);
        v = v128.load(p + dad);
        d0 = madd(d0, s0, v); d1 = madd(d1, s1, v);
        w += OCpB;
      }
      row += Wb;
    }
  }
  if (bias) {
    const s0 = v128.load32_splat(bias), s1 = v128.load32_splat(bias, 4);
    a0 = f32x4.add(a0, s0); b0 = f32x4.add(b0, s0); c0 = f32x4.add(c0, s0); d0 = f32x4.add(d0, s0);
    a1 = f32x4.add(a1, s1); b1 = f32x4.add(b1, s1); c1 = f32x4.add(c1, s1); d1 = f32x4.add(d1, s1);
  }
  v128.store(ya, a0); v128.store(yb, b0); v128.store(yc, c0); v128.store(yd, d0);
  v128.store(ya + planeB, a1); v128.store(yb + planeB, b1); v128.store(yc + planeB, c1); v128.store(yd + planeB, d1);
}

/**
 * y [N, OC, OH, OW] = valid stride-1 correlation of x [N, C, H, W] with the
 * packed weights wp [C·kH·kW, OCp] (OCp = OC rounded up to 4), + bias[oc] when
 * bias != 0. Needs OW >= 4. Threads split the images.
 */
export function convSmallForward(
  x: usize, N: i32, C: i32, H: i32, W: i32, kH: i32, kW: i32, wp: usize, OC: i32, OCp: i32,
  bias: usize, y: usize, OH: i32, OW: i32, tid: i32, nthreads: i32,
): void {
  const n0 = unitStart(N, tid, nthreads);
  const n1 = unitStart(N, tid + 1, nthreads);
  const HWb = <usize>H * W << 2, Wb = <usize>W << 2, OCpB = <usize>OCp << 2;
  const planeB = <usize>OH * OW << 2;
  const perRow = (OW + 3) >> 2; // pixel vectors per output row
  const vecs = OH * perRow;
  // channels done by 4-channel tiles; with 4k+2 channels the last two get forwardTile2
  const quadOC = OC % 4 == 2 && vecs >= 4 ? OC - 2 : OC;
  for (let n = n0; n < n1; n++) {
    const xn = x + <usize>n * C * HWb;
    const yn = y + <usize>n * OC * planeB;
    for (let q = 0; q < vecs; q += 2) {
      const qb = min(q + 1, vecs - 1);
      const ohA = q / perRow, owA = min((q % perRow) << 2, OW - 4);
      const ohB = qb / perRow, owB = min((qb % perRow) << 2, OW - 4);
      const xa = xn + <usize>ohA * Wb + (<usize>owA << 2), xb = xn + <usize>ohB * Wb + (<usize>owB << 2);
      const pa = <usize>(ohA * OW + owA) << 2, pb = <usize>(ohB * OW + owB) << 2;
      for (let oc = 0; oc < quadOC; oc += 4) {
        const yo = yn + <usize>oc * planeB;
        forwardTile(C, kH, kW, HWb, Wb, OCpB, xa, xb, wp + (<usize>oc << 2),
          yo + pa, yo + pb, planeB, min(4, quadOC - oc), bias ? bias + (<usize>oc << 2) : 0);
      }
    }
    if (quadOC < OC) {
      // the last two channels, 4 vectors at a time (the last group may overlap)
      const yo = yn + <usize>quadOC * planeB;
      const wq = wp + (<usize>quadOC << 2);
      const bq = bias ? bias + (<usize>quadOC << 2) : 0;
      for (let q0 = 0; q0 < vecs; q0 += 4) {
        const q = min(q0, vecs - 4);
        const ohA = q / perRow, owA = min((q % perRow) << 2, OW - 4);
        const ohB = (q + 1) / perRow, owB = min(((q + 1) % perRow) << 2, OW - 4);
        const ohC = (q + 2) / perRow, owC = min(((q + 2) % perRow) << 2, OW - 4);
        const ohD = (q + 3) / perRow, owD = min(((q + 3) % perRow) << 2, OW - 4);
        forwardTile2(C, kH, kW, HWb, Wb, OCpB,
          xn + <usize>ohA * Wb + (<usize>owA << 2), xn + <usize>ohB * Wb + (<usize>owB << 2),
          xn + <usize>ohC * Wb + (<usize>owC << 2), xn + <usize>ohD * Wb + (<usize>owD << 2), wq,
          yo + (<usize>(ohA * OW + owA) << 2), yo + (<usize>(ohB * OW + owB) << 2),
          yo + (<usize>(ohC * OW + owC) << 2), yo + (<usize>(ohD * OW + owD) << 2), planeB, bq);
      }
    }
  }
}

/**
 * dst[(n·P + p)·Cp + c] = src[(n·C + c)·P + p] (0 for c >= C): NCHW planes to
 * pixel-major rows of Cp (a multiple of 4) channels. Threads split the images.
 */
export function planesToPixels(src: usize, N: i32, C: i32, P: i32, dst: usize, Cp: i32, tid: i32, nthreads: i32): void {
  const n0 = unitStart(N, tid, nthreads);
  const n1 = unitStart(N, tid + 1, nthreads);
  const PB = <usize>P << 2, CpB = <usize>Cp << 2;
  const zero = f32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    const s = src + <usize>n * C * PB;
    const d = dst + <usize>n * P * CpB;
    for (let c = 0; c < Cp; c += 4) {
      const r0 = s + <usize>c * PB;
      let p = 0;
      for (; p + 4 <= P; p += 4) {
        const o = <usize>p << 2;
        const v0 = c < C ? v128.load(r0 + o) : zero;
        const v1 = c + 1 < C ? v128.load(r0 + PB + o) : zero;
        const v2 = c + 2 < C ? v128.load(r0 + 2 * PB + o) : zero;
        const v3 = c + 3 < C ? v128.load(r0 + 3 * PB + o) : zero;
        const lo01 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const hi01 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        const q = d + <usize>p * CpB + (<usize>c << 2);
        v128.store(q, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
        v128.store(q + CpB, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
        v128.store(q + 2 * CpB, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
        v128.store(q + 3 * CpB, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
      }
      for (; p < P; p++) {
        for (let k = 0; k < 4; k++) {
          const v: f32 = c + k < C ? load<f32>(r0 + <usize>k * PB + (<usize>p << 2)) : 0;
          store<f32>(d + <usize>p * CpB + (<usize>(c + k) << 2), v);
        }
      }
    }
  }
}

// dw for 8 channels (from dyT at channel offset) x 4 taps t0..t0+3 whose
// input offsets are o0..o3 (bytes, within an image). 8 accumulators: with 10
// V8 spilled and the loop ran at half the forward kernel's rate.
function filterTile(
  N: i32, OH: i32, OW: i32, CHWb: usize, Wb: usize, CpB: usize,
  x: usize, dyT: usize, o0: usize, o1: usize, o2: usize, o3: usize,
  dw: usize, K: i32, t0: i32, rows: i32,
): void {
  let p0 = f32x4.splat(0), q0 = f32x4.splat(0);
  let p1 = f32x4.splat(0), q1 = f32x4.splat(0);
  let p2 = f32x4.splat(0), q2 = f32x4.splat(0);
  let p3 = f32x4.splat(0), q3 = f32x4.splat(0);
  let g = dyT;
  for (let n = 0; n < N; n++) {
    let xr = x + <usize>n * CHWb;
    for (let oh = 0; oh < OH; oh++) {
      const end = xr + (<usize>OW << 2);
      for (let xp = xr; xp < end; xp += 4) {
        const d0 = v128.load(g), d1 = v128.load(g, 16);
        let s = v128.load32_splat(xp + o0);
        p0 = madd(p0, d0, s); q0 = madd(q0, d1, s);
        s = v128.load32_splat(xp + o1);
        p1 = madd(p1, d0, s); q1 = madd(q1, d1, s);
        s = v128.load32_splat(xp + o2);
        p2 = madd(p2, d0, s); q2 = madd(q2, d1, s);
        s = v128.load32_splat(xp + o3);
        p3 = madd(p3, d0, s); q3 = madd(q3, d1, s);
        g += CpB;
      }
      xr += Wb;
    }
  }
  // dw[oc, t] for oc < rows: lane r of p (oc r) or q (oc 4 + r)
  storeLanes(dw, K, t0, p0, q0, rows);
  storeLanes(dw, K, t0 + 1, p1, q1, rows);
  storeLanes(dw, K, t0 + 2, p2, q2, rows);
  storeLanes(dw, K, t0 + 3, p3, q3, rows);
}

// @ts-ignore: decorator
@inline function storeLanes(dw: usize, K: i32, t: i32, p: v128, q: v128, rows: i32): void {
  const base = dw + (<usize>t << 2);
  const ld = <usize>K << 2;
  store<f32>(base, f32x4.extract_lane(p, 0));
  if (rows > 1) store<f32>(base + ld, f32x4.extract_lane(p, 1));
  if (rows > 2) store<f32>(base + 2 * ld, f32x4.extract_lane(p, 2));
  if (rows > 3) store<f32>(base + 3 * ld, f32x4.extract_lane(p, 3));
  if (rows > 4) store<f32>(base + 4 * ld, f32x4.extract_lane(q, 0));
  if (rows > 5) store<f32>(base + 5 * ld, f32x4.extract_lane(q, 1));
  if (rows > 6) store<f32>(base + 6 * ld, f32x4.extract_lane(q, 2));
  if (rows > 7) store<f32>(base + 7 * ld, f32x4.extract_lane(q, 3));
}

// Byte offset, within an image [C, H, W], of tap t = (c, kh, kw).
// @ts-ignore: decorator
@inline function tapOffset(t: i32, kH: i32, kW: i32, H: i32, W: i32): usize {
  const kw = t % kW;
  const kh = (t / kW) % kH;
  const c = t / (kW * kH);
  return <usize>((c * H + kh) * W + kw) << 2;
}

/**
 * dw [OC, C·kH·kW] = Σ over images and output pixels of dy·x (see the header),
 * from dyT = planesToPixels(dy) with Cp (multiple of 8) channels. Needs
 * C·kH·kW >= 4. Threads split the (8-channel block, 4-tap block) tiles.
 */
export function convSmallFilterGrad(
  x: usize, N: i32, C: i32, H: i32, W: i32, kH: i32, kW: i32, dyT: usize, OC: i32, Cp: i32,
  OH: i32, OW: i32, dw: usize, tid: i32, nthreads: i32,
): void {
  const K = C * kH * kW;
  const tapBlocks = (K + 3) >> 2;
  const tiles = (Cp >> 3) * tapBlocks;
  const i0 = unitStart(tiles, tid, nthreads);
  const i1 = unitStart(tiles, tid + 1, nthreads);
  const CHWb = <usize>C * H * W << 2, Wb = <usize>W << 2, CpB = <usize>Cp << 2;
  for (let i = i0; i < i1; i++) {
    const ocb = (i / tapBlocks) << 3;
    const t0 = min((i % tapBlocks) << 2, K - 4); // the last block may overlap: same values
    filterTile(N, OH, OW, CHWb, Wb, CpB, x, dyT + (<usize>ocb << 2),
      tapOffset(t0, kH, kW, H, W), tapOffset(t0 + 1, kH, kW, H, W), tapOffset(t0 + 2, kH, kW, H, W),
      tapOffset(t0 + 3, kH, kW, H, W),
      dw + (<usize>ocb * K << 2), K, t0, min(8, OC - ocb));
  }
}

/** dst[(t·OC + oc)·Cp + c] = w[oc, c, t] (t = kh·kW + kw; 0 for c >= C): the data gradient's weights. */
export function packDataWeights(w: usize, OC: i32, C: i32, taps: i32, dst: usize, Cp: i32, tid: i32, nthreads: i32): void {
  if (tid != 0) return;
  for (let t = 0; t < taps; t++) {
    for (let oc = 0; oc < OC; oc++) {
      const row = dst + (<usize>((t * OC + oc) * Cp) << 2);
      for (let c = 0; c < Cp; c++) {
        store<f32>(row + (<usize>c << 2), c < C ? load<f32>(w + (<usize>((oc * C + c) * taps + t) << 2)) : 0);
      }
    }
  }
}

// dcol for 4 input channels x 2 dy vectors (ga/gb: byte addresses in image n's
// dy, channel 0) at one tap, summed over oc from 0, added into dx at da/db.
function dataTile(
  OC: i32, dyPlaneB: usize, ga: usize, gb: usize, wp: usize, CpB: usize,
  da: usize, db: usize, dxPlaneB: usize, rows: i32, both: bool,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  const dab = gb - ga;
  let g = ga;
  let w = wp;
  for (let oc = 0; oc < OC; oc++) {
    const va = v128.load(g);
    const vb = v128.load(g + dab);
    let s = v128.load32_splat(w);
    a0 = madd(a0, s, va); b0 = madd(b0, s, vb);
    s = v128.load32_splat(w, 4);
    a1 = madd(a1, s, va); b1 = madd(b1, s, vb);
    s = v128.load32_splat(w, 8);
    a2 = madd(a2, s, va); b2 = madd(b2, s, vb);
    s = v128.load32_splat(w, 12);
    a3 = madd(a3, s, va); b3 = madd(b3, s, vb);
    g += dyPlaneB;
    w += CpB;
  }
  v128.store(da, f32x4.add(v128.load(da), a0));
  if (rows > 1) v128.store(da + dxPlaneB, f32x4.add(v128.load(da + dxPlaneB), a1));
  if (rows > 2) v128.store(da + 2 * dxPlaneB, f32x4.add(v128.load(da + 2 * dxPlaneB), a2));
  if (rows > 3) v128.store(da + 3 * dxPlaneB, f32x4.add(v128.load(da + 3 * dxPlaneB), a3));
  if (both) {
    v128.store(db, f32x4.add(v128.load(db), b0));
    if (rows > 1) v128.store(db + dxPlaneB, f32x4.add(v128.load(db + dxPlaneB), b1));
    if (rows > 2) v128.store(db + 2 * dxPlaneB, f32x4.add(v128.load(db + 2 * dxPlaneB), b2));
    if (rows > 3) v128.store(db + 3 * dxPlaneB, f32x4.add(v128.load(db + 3 * dxPlaneB), b3));
  }
}

// dcol for 2 input channels x 4 consecutive dy vectors (g: the first, in
// image n's dy at channel 0; dy rows are padded, so they are contiguous) at one
// tap, added into dx at da..dd (the first `count`). For C = 4k+2 channels: the
// last two without padding them to four.
function dataTile2(
  OC: i32, dyPlaneB: usize, g: usize, wp: usize, CpB: usize,
  da: usize, db: usize, dc: usize, dd: usize, dxPlaneB: usize, count: i32,
): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), c0 = f32x4.splat(0), d0 = f32x4.splat(0);
  let a1 = f32x4.splat(0), b1 = f32x4.splat(0), c1 = f32x4.splat(0), d1 = f32x4.splat(0);
  let w = wp;
  for (let oc = 0; oc < OC; oc++) {
    const s0 = v128.load32_splat(w);
    const s1 = v128.load32_splat(w, 4);
    let v = v128.load(g);
    a0 = madd(a0, s0, v); a1 = madd(a1, s1, v);
    v = v128.load(g, 16);
    b0 = madd(b0, s0, v); b1 = madd(b1, s1, v);
    v = v128.load(g, 32);
    c0 = madd(c0, s0, v); c1 = madd(c1, s1, v);
    v = v128.load(g, 48);
    d0 = madd(d0, s0, v); d1 = madd(d1, s1, v);
    g += dyPlaneB;
    w += CpB;
  }
  v128.store(da, f32x4.add(v128.load(da), a0));
  v128.store(da + dxPlaneB, f32x4.add(v128.load(da + dxPlaneB), a1));
  if (count > 1) {
    v128.store(db, f32x4.add(v128.load(db), b0));
    v128.store(db + dxPlaneB, f32x4.add(v128.load(db + dxPlaneB), b1));
  }
  if (count > 2) {
    v128.store(dc, f32x4.add(v128.load(dc), c0));
    v128.store(dc + dxPlaneB, f32x4.add(v128.load(dc + dxPlaneB), c1));
  }
  if (count > 3) {
    v128.store(dd, f32x4.add(v128.load(dd), d0));
    v128.store(dd + dxPlaneB, f32x4.add(v128.load(dd + dxPlaneB), d1));
  }
}

// One image's data gradient into dxs (zeroed, rows Wp wide) from gn (its dy,
// rows padded to OWp, 12 floats of slack after): see convSmallDataGrad.
function dataGradImage(
  gn: usize, OC: i32, OH: i32, OWp: i32, kH: i32, kW: i32, wp: usize, C: i32, Cp: i32, dxs: usize, H: i32, Wp: i32,
): void {
  const dyPlaneB = <usize>OH * OWp << 2, dxPlaneB = <usize>H * Wp << 2, CpB = <usize>Cp << 2;
  const perRow = OWp >> 2;
  const vecs = OH * perRow;
  for (let c = 0; c < C; c += 4) {
    const dn = dxs + <usize>c * dxPlaneB;
    const rows = min(4, C - c);
    if (rows == 2) {
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const wt = wp + ((<usize>(kh * kW + kw) * OC * Cp + c) << 2);
          const d = dn + (<usize>(kh * Wp + kw) << 2);
          for (let q = 0; q < vecs; q += 4) {
            const qb = min(q + 1, vecs - 1), qc = min(q + 2, vecs - 1), qd = min(q + 3, vecs - 1);
            dataTile2(OC, dyPlaneB, gn + (<usize>q << 4), wt, CpB,
              d + (<usize>((q / perRow) * Wp + ((q % perRow) << 2)) << 2),
              d + (<usize>((qb / perRow) * Wp + ((qb % perRow) << 2)) << 2),
              d + (<usize>((qc / perRow) * Wp + ((qc % perRow) << 2)) << 2),
              d + (<usize>((qd / perRow) * Wp + ((qd % perRow) << 2)) << 2),
              dxPlaneB, min(4, vecs - q));
          }
        }
      }
      continue;
    }
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const wt = wp + ((<usize>(kh * kW + kw) * OC * Cp + c) << 2);
        for (let q = 0; q < vecs; q += 2) {
          const both = q + 1 < vecs;
          const qb = both ? q + 1 : q;
          const ohA = q / perRow, owA = (q % perRow) << 2;
          const ohB = qb / perRow, owB = (qb % perRow) << 2;
          dataTile(OC, dyPlaneB, gn + (<usize>(ohA * OWp + owA) << 2), gn + (<usize>(ohB * OWp + owB) << 2), wt, CpB,
            dn + (<usize>((ohA + kh) * Wp + owA + kw) << 2), dn + (<usize>((ohB + kh) * Wp + owB + kw) << 2),
            dxPlaneB, rows, both);
        }
      }
    }
  }
}

/** Floats of scratch convSmallDataGrad needs per thread. */
export function convSmallDataGradScratch(OC: i32, OH: i32, OW: i32, C: i32, H: i32, kW: i32): i32 {
  const OWp = (OW + 3) & ~3;
  return OC * OH * OWp + 16 + C * H * (OWp + kW - 1);
}

/**
 * dx [N, C, H, W] for dy [N, OC, OH, OW] in the im2col path's order, so with
 * its bits: for each tap (kh, kw) in order, dcol = Σ_oc w[oc, c, kh, kw]·dy[oc]
 * (from 0, oc order) is added into dx shifted by (kh, kw). Per image, in the
 * thread's own scratch (tid · convSmallDataGradScratch floats): dy with rows
 * zero-padded to a multiple of 4, and a zeroed dx with rows wide enough for
 * every shifted vector (the zero lanes add +0), cropped into dx at the end; all
 * of it stays in L1. wp from packDataWeights with Cp = C rounded up to 4.
 * Threads split the images.
 */
export function convSmallDataGrad(
  dy: usize, N: i32, OC: i32, OH: i32, OW: i32, kH: i32, kW: i32, wp: usize, C: i32, Cp: i32,
  dx: usize, H: i32, W: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const n0 = unitStart(N, tid, nthreads);
  const n1 = unitStart(N, tid + 1, nthreads);
  const OWp = (OW + 3) & ~3, Wp = OWp + kW - 1;
  const gs = scratch + (<usize>tid * convSmallDataGradScratch(OC, OH, OW, C, H, kW) << 2);
  const ds = gs + (<usize>(OC * OH * OWp + 16) << 2);
  for (let n = n0; n < n1; n++) {
    const src = dy + (<usize>n * OC * OH * OW << 2);
    for (let r = 0; r < OC * OH; r++) {
      const d = gs + (<usize>r * OWp << 2);
      memory.copy(d, src + (<usize>r * OW << 2), <usize>OW << 2);
      if (OWp > OW) memory.fill(d + (<usize>OW << 2), 0, <usize>(OWp - OW) << 2);
    }
    memory.fill(ds, 0, <usize>C * H * Wp << 2);
    dataGradImage(gs, OC, OH, OWp, kH, kW, wp, C, Cp, ds, H, Wp);
    const out = dx + (<usize>n * C * H * W << 2);
    for (let r = 0; r < C * H; r++) {
      memory.copy(out + (<usize>r * W << 2), ds + (<usize>r * Wp << 2), <usize>W << 2);
    }
  }
}
