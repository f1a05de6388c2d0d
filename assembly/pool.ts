// Pooling over NCHW planes: max, average and the adaptive variants, forward
// and backward, with PyTorch's window rules (see src/ops/pool.ts).
//
// Threads split the N*C planes: a plane (input and output) belongs to one
// thread, so the overlapping windows of the backward passes add into dx in a
// fixed order whatever the thread count.

import { unitStart } from "./elementwise";

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// Address of plane p of a stack of H x W planes.
// @ts-ignore: decorator
@inline function planeAt(base: usize, p: i32, H: i32, W: i32): usize {
  return base + (<usize>p * H * W << 2);
}

// First output column of the 4-wide SIMD run of the max-pool kernels: the
// columns whose whole window lies inside the input (strides 1 and 2, no
// column dilation); OW when there is no such run.
// @ts-ignore: decorator
@inline function simdColsLo(OW: i32, sW: i32, pW: i32, dW: i32): i32 {
  return dW == 1 && (sW == 1 || sW == 2) ? min(OW, (pW + sW - 1) / sW) : OW;
}

// End of that run (owLo when there is none).
// @ts-ignore: decorator
@inline function simdColsHi(owLo: i32, OW: i32, W: i32, kW: i32, sW: i32, pW: i32, dW: i32): i32 {
  const lastFits = W - kW + pW; // the last start column whose window ends inside
  return dW == 1 && (sW == 1 || sW == 2) && lastFits >= 0 ? max(owLo, min(OW, lastFits / sW + 1)) : owLo;
}

// Four taps of one window row for 4 consecutive outputs at column stride sW (1 or 2).
// @ts-ignore: decorator
@inline function loadTaps(row: usize, kw: i32, sW: i32): v128 {
  const q = row + (<usize>kw << 2);
  if (sW == 1) return v128.load(q);
  return v128.shuffle<f32>(v128.load(q), v128.load(q, 16), 0, 2, 4, 6);
}

// Sum of rows ih0..ih1, columns iw0..iw1, row by row.
// @ts-ignore: decorator
@inline function windowSum(plane: usize, W: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32): f32 {
  let s: f32 = 0;
  for (let ih = ih0; ih < ih1; ih++) {
    for (let iw = iw0; iw < iw1; iw++) s += load<f32>(at(plane, ih * W + iw));
  }
  return s;
}

// delta added over rows ih0..ih1, columns iw0..iw1.
// @ts-ignore: decorator
@inline function addOver(d: usize, W: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32, delta: f32): void {
  for (let ih = ih0; ih < ih1; ih++) {
    for (let iw = iw0; iw < iw1; iw++) addAt(d, ih * W + iw, delta);
  }
}

// @ts-ignore: decorator
@inline function addAt(d: usize, i: i32, v: f32): void {
  const q = at(d, i);
  store<f32>(q, load<f32>(q) + v);
}

// Index (in the plane) of the window's maximum: the first one on ties, a NaN
// wins (PyTorch: `val > max || isnan(val)`); the window's first valid tap when
// all are -inf.
// @ts-ignore: decorator
@inline function argmaxWindow(
  plane: usize, W: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32, dH: i32, dW: i32,
): i32 {
  let best = ih0 * W + iw0;
  let m: f32 = -Infinity;
  for (let ih = ih0; ih < ih1; ih += dH) {
    for (let iw = iw0; iw < iw1; iw += dW) {
      const idx = ih * W + iw;
      const v = load<f32>(at(plane, idx));
      if (v > m || v != v) {
        m = v;
        best = idx;
      }
    }
  }
  return best;
}

// First tap at or after `start` on the dilation grid that is >= 0.
// @ts-ignore: decorator
@inline function firstTap(start: i32, d: i32): i32 {
  return start >= 0 ? start : start + ((-start + d - 1) / d) * d;
}

// PyTorch's update `if (v > m || isnan(v)) m = v` on four lanes: exact for
// NaN and for ±0 ties (the first maximum stays), unlike f32x4.max.
// @ts-ignore: decorator
@inline function maxStep(m: v128, v: v128): v128 {
  return v128.bitselect(v, m, v128.or(f32x4.gt(v, m), f32x4.ne(v, v)));
}

/** y = max over each (dilated) window; padding acts as -inf. */
export function maxPool2dForward(
  x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32,
  dH: i32, dW: i32, y: usize, tid: i32, nthreads: i32,
): void {
  const p0 = unitStart(planes, tid, nthreads);
  const p1 = unitStart(planes, tid + 1, nthreads);
  // Output columns whose whole window lies inside the input run 4 at a time
  // (strides 1 and 2); the others, and other strides, one at a time.
  const owLo = simdColsLo(OW, sW, pW, dW);
  const owHi = simdColsHi(owLo, OW, W, kW, sW, pW, dW);
  if (kH == 3 && kW == 3 && sH == 2 && sW == 2 && dH == 1 && dW == 1) {
    for (let p = p0; p < p1; p++) maxPool3x3s2Plane(planeAt(x, p, H, W), planeAt(y, p, OH, OW), H, W, OH, OW, pH, pW, owLo, owHi);
    return;
  }
  for (let p = p0; p < p1; p++) {
    const plane = planeAt(x, p, H, W);
    const out = planeAt(y, p, OH, OW);
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * sH - pH;
      const ih1 = min(hs + (kH - 1) * dH + 1, H);
      const ih0 = firstTap(hs, dH);
      let ow = 0;
      for (; ow < owLo; ow++) store<f32>(at(out, oh * OW + ow), maxWindow(plane, W, ih0, ih1, ow * sW - pW, kW, dH, dW));
      for (; ow + 4 <= owHi; ow += 4) {
        let m = f32x4.splat(-Infinity);
        for (let ih = ih0; ih < ih1; ih += dH) {
          const row = at(plane, ih * W + ow * sW - pW);
          for (let kw = 0; kw < kW; kw++) m = maxStep(m, loadTaps(row, kw, sW));
        }
        v128.store(at(out, oh * OW + ow), m);
      }
      for (; ow < OW; ow++) store<f32>(at(out, oh * OW + ow), maxWindow(plane, W, ih0, ih1, ow * sW - pW, kW, dH, dW));
    }
  }
}

// Max pooling 3x3 / stride 2 (ResNet's, GoogLeNet's, AlexNet's) over one
// plane, 4 outputs at a time down columns of outputs: each input row's max
// over the 3 taps of the 4 windows (3 loads, 3 shuffles) is taken once and,
// for the row two windows share (2·oh + 1 − pH), kept for the next output
// row, about 40% fewer operations than the generic path's 9 taps per window.
// Same bits: the running max `v > m || isnan(v)` over a row-major scan equals
// the same rule applied to the rows' own maxima in row order (the first
// maximum, and the last NaN, win either way). Edge columns as the generic path.
function maxPool3x3s2Plane(plane: usize, out: usize, H: i32, W: i32, OH: i32, OW: i32, pH: i32, pW: i32, owLo: i32, owHi: i32): void {
  const owEnd = owLo + ((owHi - owLo) & ~3);
  for (let oh = 0; oh < OH; oh++) {
    const hs = oh * 2 - pH;
    const ih1 = min(hs + 3, H);
    const ih0 = firstTap(hs, 1);
    for (let ow = 0; ow < owLo; ow++) store<f32>(at(out, oh * OW + ow), maxWindow(plane, W, ih0, ih1, ow * 2 - pW, 3, 1, 1));
    for (let ow = owEnd; ow < OW; ow++) store<f32>(at(out, oh * OW + ow), maxWindow(plane, W, ih0, ih1, ow * 2 - pW, 3, 1, 1));
  }
  for (let ow = owLo; ow < owEnd; ow += 4) {
    const col = ow * 2 - pW; // >= 0 and the 4 windows end inside the row (simdColsLo/Hi)
    let kept = f32x4.splat(-Infinity);
    let keptRow = -1;
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * 2 - pH;
      const ih1 = min(hs + 3, H);
      let m = f32x4.splat(-Infinity);
      for (let ih = max(hs, 0); ih < ih1; ih++) {
        const h = ih == keptRow ? kept : rowMax3s2(at(plane, ih * W + col));
        m = maxStep(m, h);
        kept = h;
        keptRow = ih;
      }
      v128.store(at(out, oh * OW + ow), m);
    }
  }
}

// Columns c..c+8 of one row (c = the first window's first column): the max of
// taps c+2j, c+2j+1, c+2j+2 for the 4 windows j, in that order. Reads up to c+8.
// @ts-ignore: decorator
@inline function rowMax3s2(q: usize): v128 {
  const a = v128.load(q);      // c .. c+3
  const b = v128.load(q, 16);  // c+4 .. c+7
  const e = v128.load(q, 20);  // c+5 .. c+8
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const next = v128.shuffle<f32>(even, e, 1, 2, 3, 7); // c+2, c+4, c+6, c+8
  return maxStep(maxStep(even, odd), next);
}

// The max of one window (rows ih0..ih1 by dH, columns from ws, kW taps by dW, clipped).
// @ts-ignore: decorator
@inline function maxWindow(plane: usize, W: i32, ih0: i32, ih1: i32, ws: i32, kW: i32, dH: i32, dW: i32): f32 {
  const iw1 = min(ws + (kW - 1) * dW + 1, W);
  const iw0 = firstTap(ws, dW);
  let m: f32 = -Infinity;
  for (let ih = ih0; ih < ih1; ih += dH) {
    for (let iw = iw0; iw < iw1; iw += dW) {
      const v = load<f32>(at(plane, ih * W + iw));
      if (v > m || v != v) m = v;
    }
  }
  return m;
}

/** dx = 0, then dy of each window added at its argmax (recomputed from x), in output order. */
export function maxPool2dBackward(
  x: usize, dy: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32, sH: i32, sW: i32,
  pH: i32, pW: i32, dH: i32, dW: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  const p0 = unitStart(planes, tid, nthreads);
  const p1 = unitStart(planes, tid + 1, nthreads);
  // as in the forward pass: interior columns 4 at a time, tracking the argmax per lane
  const owLo = simdColsLo(OW, sW, pW, dW);
  const owHi = simdColsHi(owLo, OW, W, kW, sW, pW, dW);
  const laneStep = i32x4(0, sW, 2 * sW, 3 * sW); // input column offsets of the 4 lanes
  for (let p = p0; p < p1; p++) {
    const plane = planeAt(x, p, H, W);
    const g = planeAt(dy, p, OH, OW);
    const d = planeAt(dx, p, H, W);
    memory.fill(d, 0, <usize>H * W << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * sH - pH;
      const ih1 = min(hs + (kH - 1) * dH + 1, H);
      const ih0 = firstTap(hs, dH);
      let ow = 0;
      for (; ow < owLo; ow++) addAtArgmax(plane, g, d, W, ih0, ih1, ow * sW - pW, kW, dH, dW, oh * OW + ow);
      for (; ow + 4 <= owHi; ow += 4) {
        let m = f32x4.splat(-Infinity);
        let best = i32x4.splat(0);
        for (let ih = ih0; ih < ih1; ih += dH) {
          const start = ih * W + ow * sW - pW;
          const row = at(plane, start);
          for (let kw = 0; kw < kW; kw++) {
            const v = loadTaps(row, kw, sW);
            const take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
            m = v128.bitselect(v, m, take);
            best = v128.bitselect(i32x4.add(i32x4.splat(start + kw), laneStep), best, take);
          }
        }
        const gv = v128.load(at(g, oh * OW + ow));
        addAt(d, i32x4.extract_lane(best, 0), f32x4.extract_lane(gv, 0));
        addAt(d, i32x4.extract_lane(best, 1), f32x4.extract_lane(gv, 1));
        addAt(d, i32x4.extract_lane(best, 2), f32x4.extract_lane(gv, 2));
        addAt(d, i32x4.extract_lane(best, 3), f32x4.extract_lane(gv, 3));
      }
      for (; ow < OW; ow++) addAtArgmax(plane, g, d, W, ih0, ih1, ow * sW - pW, kW, dH, dW, oh * OW + ow);
    }
  }
}

// dy[o] added at the argmax of one window (as maxWindow clips it).
// @ts-ignore: decorator
@inline function addAtArgmax(plane: usize, g: usize, d: usize, W: i32, ih0: i32, ih1: i32, ws: i32, kW: i32, dH: i32, dW: i32, o: i32): void {
  const iw1 = min(ws + (kW - 1) * dW + 1, W);
  const iw0 = firstTap(ws, dW);
  addAt(d, argmaxWindow(plane, W, ih0, ih1, iw0, iw1, dH, dW), load<f32>(at(g, o)));
}

// The window of output (oh, ow) clipped to the input, and its divisor
// (PyTorch: the window clipped to input+padding counts when countIncludePad).
// @ts-ignore: decorator
@inline function avgDivisor(hs: i32, ws: i32, kH: i32, kW: i32, H: i32, W: i32, pH: i32, pW: i32, includePad: bool): i32 {
  const he = min(hs + kH, H + pH);
  const we = min(ws + kW, W + pW);
  if (includePad) return (he - hs) * (we - ws);
  return (min(he, H) - max(hs, 0)) * (min(we, W) - max(ws, 0));
}

// The walk over the (clipped) windows of this thread's planes shared by the two
// avg-pool kernels; `forward` is a constant in each, so each inlined copy keeps
// only its own branch. Forward: y from x; backward: dx = 0, then dy added.
// @ts-ignore: decorator
@inline function avgWindows(
  forward: bool, src: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32, sH: i32, sW: i32,
  pH: i32, pW: i32, includePad: i32, dst: usize, tid: i32, nthreads: i32,
): void {
  const p0 = unitStart(planes, tid, nthreads);
  const p1 = unitStart(planes, tid + 1, nthreads);
  for (let p = p0; p < p1; p++) {
    const plane = forward ? planeAt(src, p, H, W) : planeAt(src, p, OH, OW);
    const o = forward ? planeAt(dst, p, OH, OW) : planeAt(dst, p, H, W);
    if (!forward) memory.fill(o, 0, <usize>H * W << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * sH - pH;
      const ih0 = max(hs, 0);
      const ih1 = min(hs + kH, H);
      for (let ow = 0; ow < OW; ow++) {
        const ws = ow * sW - pW;
        const iw0 = max(ws, 0);
        const iw1 = min(ws + kW, W);
        if (forward) {
          let v: f32 = 0;
          if (ih0 < ih1 && iw0 < iw1) {
            v = windowSum(plane, W, ih0, ih1, iw0, iw1) / <f32>avgDivisor(hs, ws, kH, kW, H, W, pH, pW, includePad != 0);
          }
          store<f32>(at(o, oh * OW + ow), v);
        } else {
          if (ih0 >= ih1 || iw0 >= iw1) continue;
          const delta = load<f32>(at(plane, oh * OW + ow)) / <f32>avgDivisor(hs, ws, kH, kW, H, W, pH, pW, includePad != 0);
          addOver(o, W, ih0, ih1, iw0, iw1, delta);
        }
      }
    }
  }
}

/** y = window sum / divisor (0 for a window wholly in the padding). */
export function avgPool2dForward(
  x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32,
  includePad: i32, y: usize, tid: i32, nthreads: i32,
): void {
  avgWindows(true, x, planes, H, W, OH, OW, kH, kW, sH, sW, pH, pW, includePad, y, tid, nthreads);
}

/** dx = 0, then dy / divisor added over each window. */
export function avgPool2dBackward(
  dy: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32,
  includePad: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  avgWindows(false, dy, planes, H, W, OH, OW, kH, kW, sH, sW, pH, pW, includePad, dx, tid, nthreads);
}

// Adaptive bins: output o of O over an input of I covers [floor(o*I/O), ceil((o+1)*I/O)).
// @ts-ignore: decorator
@inline function binStart(o: i32, O: i32, I: i32): i32 {
  return <i32>(<i64>o * I / O);
}
// @ts-ignore: decorator
@inline function binEnd(o: i32, O: i32, I: i32): i32 {
  return <i32>((<i64>(o + 1) * I + O - 1) / O);
}

// What adaptiveBins does at each bin: the four adaptive kernels share one walk
// over the bins and pass their mode as a constant, so each inlined copy keeps
// only its own branch.
// @ts-ignore: decorator
@inline const AVG_FORWARD = 0;
// @ts-ignore: decorator
@inline const AVG_BACKWARD = 1;
// @ts-ignore: decorator
@inline const MAX_FORWARD = 2;
// @ts-ignore: decorator
@inline const MAX_BACKWARD = 3;

// For each plane of this thread and each bin (oh, ow) of it: forward modes
// write y from x; backward modes zero dx, then add dy into it.
// @ts-ignore: decorator
@inline function adaptiveBins(
  mode: i32, x: usize, dy: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, out: usize, tid: i32, nthreads: i32,
): void {
  const p0 = unitStart(planes, tid, nthreads);
  const p1 = unitStart(planes, tid + 1, nthreads);
  for (let p = p0; p < p1; p++) {
    const plane = planeAt(x, p, H, W);
    const g = planeAt(dy, p, OH, OW);
    const o = mode == AVG_FORWARD || mode == MAX_FORWARD ? planeAt(out, p, OH, OW) : planeAt(out, p, H, W);
    if (mode == AVG_BACKWARD || mode == MAX_BACKWARD) memory.fill(o, 0, <usize>H * W << 2);
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = binStart(oh, OH, H);
      const ih1 = binEnd(oh, OH, H);
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = binStart(ow, OW, W);
        const iw1 = binEnd(ow, OW, W);
        if (mode == AVG_FORWARD) {
          const s = windowSum(plane, W, ih0, ih1, iw0, iw1);
          store<f32>(at(o, oh * OW + ow), s / <f32>(ih1 - ih0) / <f32>(iw1 - iw0));
        } else if (mode == AVG_BACKWARD) {
          const delta = load<f32>(at(g, oh * OW + ow)) / <f32>(ih1 - ih0) / <f32>(iw1 - iw0);
          addOver(o, W, ih0, ih1, iw0, iw1, delta);
        } else if (mode == MAX_FORWARD) {
          store<f32>(at(o, oh * OW + ow), load<f32>(at(plane, argmaxWindow(plane, W, ih0, ih1, iw0, iw1, 1, 1))));
        } else {
          addAt(o, argmaxWindow(plane, W, ih0, ih1, iw0, iw1, 1, 1), load<f32>(at(g, oh * OW + ow)));
        }
      }
    }
  }
}

/** y = mean of each adaptive bin (sum / kh / kw, as PyTorch). */
export function adaptiveAvgPool2dForward(
  x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, y: usize, tid: i32, nthreads: i32,
): void {
  adaptiveBins(AVG_FORWARD, x, 0, planes, H, W, OH, OW, y, tid, nthreads);
}

export function adaptiveAvgPool2dBackward(
  dy: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  adaptiveBins(AVG_BACKWARD, 0, dy, planes, H, W, OH, OW, dx, tid, nthreads);
}

/** y = max of each adaptive bin (NaN wins, as PyTorch). */
export function adaptiveMaxPool2dForward(
  x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, y: usize, tid: i32, nthreads: i32,
): void {
  adaptiveBins(MAX_FORWARD, x, 0, planes, H, W, OH, OW, y, tid, nthreads);
}

export function adaptiveMaxPool2dBackward(
  x: usize, dy: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  adaptiveBins(MAX_BACKWARD, x, dy, planes, H, W, OH, OW, dx, tid, nthreads);
}
