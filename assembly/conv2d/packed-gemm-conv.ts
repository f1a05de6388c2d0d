// The GEMM of a convolution whose weights are already in the micro-kernel's
// packed-A layout (gemm-packed-a.ts), with the no-grad executor's epilogue
// fused: y = relu?(conv·scale + shift + residual?) per output channel, applied
// to each MC x NC block of y right after its last K block instead of as a
// separate pass over the output planes (affinePlanesInPlace). Measured on
// ResNet-50's 1x1 shapes (one thread): the same time as the separate pass
// within ~2% (both stream well); per micro-tile, right after its last K block,
// it was up to 20% slower at K = 64. What saves time here is the weights
// packed once per weight version (src/ops/conv2d/packed-forward.ts).
//
//   y[OC, cols] (row stride ldy) = epilogue(Wp · B),  B = [K, cols] (row stride ldb)
//
// B is an image's planes for a 1x1 stride-1 conv, or a band of im2col columns.
// Each y value is the k-ordered sum gemm() makes from 0, then the epilogue's
// arithmetic is affinePlanesInPlace's (multiply-add or add, add, max), so the
// bits equal the conv followed by that pass, on any thread count.

import { KC, MC, MR, NC, NR, anyTile, gemmScratchFloats } from "../gemm";
import { packA, packB } from "../gemm-pack";
import { packedAFloats } from "../gemm-packed-a";
import { unitStart } from "../elementwise";

// The output channels as row panels: MR-row panels, then `fours` 4-row panels
// (gemm-4x8.ts) so that no panel is partial: 256 = 48·5 + 4·4 instead of
// 51·5 + 1, whose 1-row edge tile computed a whole 5x8 tile through the edge
// copy (~1.5% of a 256-channel layer's time). Where no such split exists (the
// relaxed build's MR = 6 with OC odd, or OC < 4·fours) the last panel is
// partial, as before. Every panel is stored MR wide (rows past its own zero).
// @ts-ignore: decorator
@inline function fourRowPanels(OC: i32): i32 {
  for (let f = 0; f < MR; f++) {
    if (4 * f <= OC && (OC - 4 * f) % MR == 0) return f;
  }
  return 0;
}
/** Full MR-row panels of OC output channels (the first ones; then the 4-row or partial ones). */
// @ts-ignore: decorator
@inline function fullPanels(OC: i32): i32 {
  const f = fourRowPanels(OC);
  return f > 0 ? (OC - 4 * f) / MR : OC / MR;
}
/** Row panels of OC output channels. */
// @ts-ignore: decorator
@inline function panelCount(OC: i32): i32 {
  const f = fourRowPanels(OC);
  return f > 0 ? (OC - 4 * f) / MR + f : (OC + MR - 1) / MR;
}
/** First row of panel p (the end row for p = panelCount); `full`: fullPanels(OC). */
// @ts-ignore: decorator
@inline function panelRow(OC: i32, full: i32, p: i32): i32 {
  return min(OC, p <= full ? p * MR : full * MR + (p - full) * 4);
}

/** Floats of the packed weights of a [OC, K] weight matrix (at most packedAFloats: a 4-row panel replaces a partial one). */
export function packedConvWeightFloats(OC: i32, K: i32): i32 {
  return packedAFloats(OC, K);
}

/** Packs w [OC, K] (row-major) into the row panels above at dst, each MR·K floats; threads take whole panels. */
export function packConvWeightPanels(w: usize, OC: i32, K: i32, dst: usize, tid: i32, nthreads: i32): void {
  const panels = panelCount(OC);
  const p0 = unitStart(panels, tid, nthreads);
  const p1 = unitStart(panels, tid + 1, nthreads);
  const full = fullPanels(OC);
  for (let p = p0; p < p1; p++) {
    const i0 = panelRow(OC, full, p);
    packA(false, w, K, i0, 0, panelRow(OC, full, p + 1) - i0, K, dst + (<usize>p * MR * K << 2));
  }
}

// y = relu?(y·scale[i] + shift[i] + res?) over rows [i0, i1) x cols [j0, j1),
// with affinePlanesInPlace's operations in its order (scale 0: no multiply;
// shift 0: neither; res 0: no residual).
function epilogueRows(
  y: usize, ldy: i32, i0: i32, i1: i32, j0: i32, j1: i32, scale: usize, shift: usize, res: usize, relu: bool,
): void {
  const zero = f32x4.splat(0.0);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 2;
    const a = scale != 0 ? load<f32>(scale + o) : <f32>1.0;
    const sh = shift != 0 ? load<f32>(shift + o) : <f32>0.0;
    const av = f32x4.splat(a);
    const shv = f32x4.splat(sh);
    const off = (<usize>i * ldy + j0) << 2;
    const row = y + off;
    const rrow = res + off;
    const n = j1 - j0;
    let s = 0;
    for (; s + 4 <= n; s += 4) {
      const p = <usize>s << 2;
      let v = v128.load(row + p);
      if (shift != 0) v = scale != 0 ? f32x4.add(f32x4.mul(v, av), shv) : f32x4.add(v, shv);
      if (res != 0) v = f32x4.add(v, v128.load(rrow + p));
      if (relu) v = f32x4.max(v, zero);
      v128.store(row + p, v);
    }
    for (; s < n; s++) {
      const p = <usize>s << 2;
      let v = load<f32>(row + p);
      if (shift != 0) v = scale != 0 ? v * a + sh : v + sh;
      if (res != 0) v = v + load<f32>(rrow + p);
      if (relu) v = f32x4.extract_lane(f32x4.max(f32x4.splat(v), zero), 0);
      store<f32>(row + p, v);
    }
  }
}

/**
 * y = epilogue(Wp · B) as above. `wp`: packConvWeightPanels' output for
 * [OC, K]; `res` (0: none) has y's layout. Threads split C as gemm() does:
 * the larger of the output channels (in row panels) and the columns (in NR).
 * Scratch: gemmScratchFloats() per thread.
 */
export function packedConvGemm(
  wp: usize, OC: i32, K: i32, b: usize, ldb: i32, cols: i32, y: usize, ldy: i32,
  scale: usize, shift: usize, res: usize, relu: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const panels = panelCount(OC);
  const full = fullPanels(OC);
  let p0 = 0, p1 = panels, j0 = 0, j1 = cols;
  if (nthreads > 1) {
    const nTiles = (cols + NR - 1) / NR;
    const splitM = OC >= cols ? panels >= nthreads || panels >= nTiles : nTiles < nthreads && panels > nTiles;
    if (splitM) {
      const per = (panels + nthreads - 1) / nthreads;
      p0 = min(panels, tid * per); p1 = min(panels, (tid + 1) * per);
    } else {
      const per = (nTiles + nthreads - 1) / nthreads;
      j0 = min(cols, tid * per * NR); j1 = min(cols, (tid + 1) * per * NR);
    }
    if (p0 >= p1 || j0 >= j1) return;
  }
  const mine = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const packedB = mine;
  const edge = packedB + (<usize>KC * (NC + NR) << 2);
  const ldyB = <usize>ldy << 2;
  const epi = shift != 0 || res != 0 || relu != 0;
  const MCP = MC / MR; // panels per row block
  // gemmPackedA's loop nest over row panels (each C value is the same
  // k-ordered sum whatever tile computes it), with the epilogue applied to
  // each block of y right after its last K block.
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const loadC = pc > 0;
      const last = pc + kc >= K;
      packB(false, b, ldb, pc, jc, kc, nc, packedB);
      for (let pb = p0; pb < p1; pb += MCP) {
        const pe = min(p1, pb + MCP);
        for (let jr = 0; jr < nc; jr += NR) {
          const n = min(NR, nc - jr);
          const bp = packedB + (<usize>jr * kc << 2);
          for (let p = pb; p < pe; p++) {
            const i = panelRow(OC, full, p);
            const a = wp + ((<usize>p * MR * K + <usize>pc * MR) << 2);
            anyTile(kc, a, bp, y + (<usize>i * ldy + jc + jr << 2), ldyB, panelRow(OC, full, p + 1) - i, n, loadC, edge);
          }
        }
        if (last && epi) epilogueRows(y, ldy, panelRow(OC, full, pb), panelRow(OC, full, pe), jc, jc + nc, scale, shift, res, relu != 0);
      }
    }
    if (K == 0) {
      const i0 = panelRow(OC, full, p0), i1 = panelRow(OC, full, p1);
      for (let i = i0; i < i1; i++) memory.fill(y + ((<usize>i * ldy + jc) << 2), 0, <usize>nc << 2);
      if (epi) epilogueRows(y, ldy, i0, i1, jc, jc + nc, scale, shift, res, relu != 0);
    }
  }
}
