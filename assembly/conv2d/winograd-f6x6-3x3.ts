// Winograd F(6x6, 3x3) for 3x3 stride-1 convolutions on the points 0, ±1, ±2,
// ±½, ∞ (Lavin & Gray, 2015; the choice of ncnn): a 6x6 output tile costs 64
// multiplies instead of 324 (5.06x fewer than direct; F(4x4,3x3) gives 4x), at
// the price of larger transform constants and so a larger rounding error
// (src/ops/conv2d/winograd-tile.ts limits where it is picked):
//   U = G g Gᵀ (weights, 8x8), V = Bᵀ d B (8x8 input tiles), Y = Aᵀ (U ⊙ V) A (6x6), with
//   Bᵀ = [1 0 -21/4 0 21/4 0 -1 0;  0 1 1 -17/4 -17/4 1 1 0;  0 -1 1 17/4 -17/4 -1 1 0;
//         0 ½ ¼ -5/2 -5/4 2 1 0;  0 -½ ¼ 5/2 -5/4 -2 1 0;  0 2 4 -5/2 -5 ½ 1 0;
//         0 -2 4 5/2 -5 -½ 1 0;  0 -1 0 21/4 0 -21/4 0 1]
//   G  = [1 0 0; -2/9 -2/9 -2/9; -2/9 2/9 -2/9; 1/90 1/45 2/45; 1/90 -1/45 2/45;
//         32/45 16/45 8/45; 32/45 -16/45 8/45; 0 0 1]
//   Aᵀ = [1 1 1 1 1 1 1 0; 0 1 -1 2 -2 ½ -½ 0; 0 1 1 4 4 ¼ ¼ 0; 0 1 -1 8 -8 ⅛ -⅛ 0;
//         0 1 1 16 16 1/16 1/16 0; 0 1 -1 32 -32 1/32 -1/32 1]
// (columns 1..6 of Aᵀ are the points 1, -1, 2, -2, ½, -½; the scale of each
// point sits in G, as in ncnn, so that Bᵀ and Aᵀ stay small).
// The products summed over channels are 64 GEMMs, one per position ξ = 8i + j:
//   M[ξ][o][t] = Σ_c U[ξ][o][c] · V[ξ][c][t]   (assembly/gemm.ts).
// Layout, banding and threading as in winograd-f4x4-3x3.ts: tiles numbered in
// bands of whole tile rows, band-local t = (R - R0)*tilesW + tw; lanes are 4
// neighbouring tiles of a tile row, gathered from 28 loaded columns by
// shuffles (tile q of a group starts at column 6q). The U planes are the GEMM's
// packed left operands (gemm-packed-a.ts), written once per call and spaced
// as F(4x4)'s (winograd4PackedPlane); a band's V and M planes are padded as
// F(4x4)'s too (winograd4TilePlane: the 64 planes the transforms touch together
// never share an L1 set). Every value is summed in one fixed order whatever
// the thread count.
//
// The filter gradient has no F(3x3,6x6) here: its error would grow faster still
// than F(3x3,4x4)'s (winograd-tile.ts), so F(6x6) layers take the F(2x2)/F(4x4)
// one the chooser picks for that pass.

import { gemmScratchFloats, MR } from "../gemm";
import { gemmPackedA } from "../gemm-packed-a";
import { unitStart } from "../elementwise";
import { fillLine, outputVec, store4, taps, winograd4PackedPlane, winograd4TilePlane } from "./winograd-f4x4-3x3";

/** Floats of one zero-padded line: a 4-tile group reads 28 columns from 24g. */
// @ts-ignore: decorator
@inline function lineFloats(tilesW: i32): i32 {
  return 24 * ((tilesW + 3) >> 2) + 8;
}

/**
 * Per-thread scratch floats of every F(6x6,3x3) kernel: 8 copied input rows,
 * their 8 row combinations, and 56 vectors for the output transform.
 */
export function winograd6LineFloats(tilesW: i32): i32 {
  return 16 * lineFloats(tilesW) + 224;
}

// ---- 1-D transforms ---------------------------------------------------------

// o = Bᵀ z for z of 8 values (vectors), written through `out` at stride `step` bytes.
// @ts-ignore: decorator
@inline function inputT(
  out: usize, step: usize, z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, z6: v128, z7: v128, lanes: i32,
): void {
  const k525 = f32x4.splat(5.25), k425 = f32x4.splat(4.25), k25 = f32x4.splat(2.5), k125 = f32x4.splat(1.25);
  const half = f32x4.splat(0.5), quarter = f32x4.splat(0.25), two = f32x4.splat(2), four = f32x4.splat(4);
  const a1 = f32x4.sub(f32x4.add(z2, z6), f32x4.mul(z4, k425)); // z2 - 17/4 z4 + z6
  const b1 = f32x4.sub(f32x4.add(z1, z5), f32x4.mul(z3, k425)); // z1 - 17/4 z3 + z5
  const a3 = f32x4.sub(f32x4.add(z6, f32x4.mul(z2, quarter)), f32x4.mul(z4, k125)); // ¼z2 - 5/4 z4 + z6
  const b3 = f32x4.add(f32x4.sub(f32x4.mul(z1, half), f32x4.mul(z3, k25)), f32x4.mul(z5, two)); // ½z1 - 5/2 z3 + 2z5
  const a5 = f32x4.add(z6, f32x4.mul(f32x4.sub(z2, f32x4.mul(z4, k125)), four)); // 4z2 - 5z4 + z6
  const b5 = f32x4.add(f32x4.sub(f32x4.mul(z1, two), f32x4.mul(z3, k25)), f32x4.mul(z5, half)); // 2z1 - 5/2 z3 + ½z5
  store4(out, lanes, f32x4.add(f32x4.sub(z0, z6), f32x4.mul(f32x4.sub(z4, z2), k525)));
  store4(out + step, lanes, f32x4.add(a1, b1));
  store4(out + 2 * step, lanes, f32x4.sub(a1, b1));
  store4(out + 3 * step, lanes, f32x4.add(a3, b3));
  store4(out + 4 * step, lanes, f32x4.sub(a3, b3));
  store4(out + 5 * step, lanes, f32x4.add(a5, b5));
  store4(out + 6 * step, lanes, f32x4.sub(a5, b5));
  store4(out + 7 * step, lanes, f32x4.add(f32x4.sub(z7, z1), f32x4.mul(f32x4.sub(z3, z5), k525)));
}

// o = Aᵀ z for z of 8 values (6 outputs), written as whole vectors at stride `step` bytes.
// @ts-ignore: decorator
@inline function outputT(out: usize, step: usize, z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, z6: v128, z7: v128): void {
  const s12 = f32x4.add(z1, z2), d12 = f32x4.sub(z1, z2);
  const s34 = f32x4.add(z3, z4), d34 = f32x4.sub(z3, z4);
  const s56 = f32x4.add(z5, z6), d56 = f32x4.sub(z5, z6);
  v128.store(out, f32x4.add(f32x4.add(f32x4.add(z0, s12), s34), s56));
  v128.store(out + step, f32x4.add(f32x4.add(d12, f32x4.mul(d34, f32x4.splat(2))), f32x4.mul(d56, f32x4.splat(0.5))));
  v128.store(out + 2 * step, f32x4.add(f32x4.add(s12, f32x4.mul(s34, f32x4.splat(4))), f32x4.mul(s56, f32x4.splat(0.25))));
  v128.store(out + 3 * step, f32x4.add(f32x4.add(d12, f32x4.mul(d34, f32x4.splat(8))), f32x4.mul(d56, f32x4.splat(0.125))));
  v128.store(out + 4 * step, f32x4.add(f32x4.add(s12, f32x4.mul(s34, f32x4.splat(16))), f32x4.mul(s56, f32x4.splat(0.0625))));
  v128.store(out + 5 * step, f32x4.add(f32x4.add(f32x4.add(d12, f32x4.mul(d34, f32x4.splat(32))), f32x4.mul(d56, f32x4.splat(0.03125))), z7));
}

// (G z)[k] for the 3 values (a, b, c), one filter per lane.
// @ts-ignore: decorator
@inline function gSum(a: v128, b: v128, c: v128, ka: f32, kb: f32, kc: f32): v128 {
  return f32x4.add(f32x4.add(f32x4.mul(a, f32x4.splat(ka)), f32x4.mul(b, f32x4.splat(kb))), f32x4.mul(c, f32x4.splat(kc)));
}
// @ts-ignore: decorator
@inline function g1(a: v128, b: v128, c: v128): v128 { return f32x4.mul(f32x4.add(f32x4.add(a, b), c), f32x4.splat(<f32>(-2.0 / 9.0))); }
// @ts-ignore: decorator
@inline function g2(a: v128, b: v128, c: v128): v128 { return f32x4.mul(f32x4.add(f32x4.sub(a, b), c), f32x4.splat(<f32>(-2.0 / 9.0))); }
// @ts-ignore: decorator
@inline function g3(a: v128, b: v128, c: v128): v128 { return gSum(a, b, c, <f32>(1.0 / 90.0), <f32>(1.0 / 45.0), <f32>(2.0 / 45.0)); }
// @ts-ignore: decorator
@inline function g4(a: v128, b: v128, c: v128): v128 { return gSum(a, b, c, <f32>(1.0 / 90.0), <f32>(-1.0 / 45.0), <f32>(2.0 / 45.0)); }
// @ts-ignore: decorator
@inline function g5(a: v128, b: v128, c: v128): v128 { return gSum(a, b, c, <f32>(32.0 / 45.0), <f32>(16.0 / 45.0), <f32>(8.0 / 45.0)); }
// @ts-ignore: decorator
@inline function g6(a: v128, b: v128, c: v128): v128 { return gSum(a, b, c, <f32>(32.0 / 45.0), <f32>(-16.0 / 45.0), <f32>(8.0 / 45.0)); }

// One row of U = t Gᵀ from the row (a, b, c) of t = G g, stored at ξ = 8r + j
// for the first `lanes` filters (consecutive input channels).
// @ts-ignore: decorator
@inline function weightRow(u: usize, plane: usize, r: i32, a: v128, b: v128, c: v128, lanes: i32): void {
  const p = u + <usize>(8 * r) * plane;
  store4(p, lanes, a);
  store4(p + plane, lanes, g1(a, b, c));
  store4(p + 2 * plane, lanes, g2(a, b, c));
  store4(p + 3 * plane, lanes, g3(a, b, c));
  store4(p + 4 * plane, lanes, g4(a, b, c));
  store4(p + 5 * plane, lanes, g5(a, b, c));
  store4(p + 6 * plane, lanes, g6(a, b, c));
  store4(p + 7 * plane, lanes, c);
}

// U = G g Gᵀ of n (1..4) filters g (one per lane, `step` bytes apart; lanes
// past n are 0), the first `lanes` lanes stored at u + ξ·plane.
// @ts-ignore: decorator
@inline function transformFilters(g: usize, step: usize, flip: i32, n: i32, u: usize, plane: usize, lanes: i32): void {
  const a0 = taps(g, step, flip, 0, 0, n), a1 = taps(g, step, flip, 0, 1, n), a2 = taps(g, step, flip, 0, 2, n);
  const b0 = taps(g, step, flip, 1, 0, n), b1 = taps(g, step, flip, 1, 1, n), b2 = taps(g, step, flip, 1, 2, n);
  const c0 = taps(g, step, flip, 2, 0, n), c1 = taps(g, step, flip, 2, 1, n), c2 = taps(g, step, flip, 2, 2, n);
  // t = G g column by column (rows of t), then each row times Gᵀ
  weightRow(u, plane, 0, a0, a1, a2, lanes);
  weightRow(u, plane, 1, g1(a0, b0, c0), g1(a1, b1, c1), g1(a2, b2, c2), lanes);
  weightRow(u, plane, 2, g2(a0, b0, c0), g2(a1, b1, c1), g2(a2, b2, c2), lanes);
  weightRow(u, plane, 3, g3(a0, b0, c0), g3(a1, b1, c1), g3(a2, b2, c2), lanes);
  weightRow(u, plane, 4, g4(a0, b0, c0), g4(a1, b1, c1), g4(a2, b2, c2), lanes);
  weightRow(u, plane, 5, g5(a0, b0, c0), g5(a1, b1, c1), g5(a2, b2, c2), lanes);
  weightRow(u, plane, 6, g6(a0, b0, c0), g6(a1, b1, c1), g6(a2, b2, c2), lanes);
  weightRow(u, plane, 7, c0, c1, c2, lanes);
}

/**
 * U[ξ] (64 planes winograd4PackedPlane(O, I) apart, each in packed GEMM panels
 * of MR output channels, as winograd4Weights) for the 3x3 filters g = w[o, i]
 * (w [O, I, 3, 3]); with `flip` the data gradient's filters g = w[i, o]
 * rotated by 180° (w [I, O, 3, 3]). Per input channel of a panel: its first
 * four output channels one per lane, then the remaining MR - 4. Panels split
 * between threads; padding rows past O are 0.
 */
export function winograd6Weights(w: usize, O: i32, I: i32, flip: i32, u: usize, tid: i32, nthreads: i32): void {
  const panels = (O + MR - 1) / MR;
  const p1 = unitStart(panels, tid + 1, nthreads);
  const plane = <usize>winograd4PackedPlane(O, I) << 2;
  // the filter of (o, i) starts this many bytes after the one of (o - 1, i)
  const stepO: usize = (flip ? <usize>9 : <usize>I * 9) << 2;
  for (let p = unitStart(panels, tid, nthreads); p < p1; p++) {
    const o0 = p * MR;
    const nA = min(4, O - o0);
    const nB = max(0, min(MR - 4, O - o0 - 4));
    for (let i = 0; i < I; i++) {
      const g = w + (<usize>(flip ? i * O + o0 : o0 * I + i) * 9 << 2);
      const dst = u + (<usize>(o0 * I + i * MR) << 2);
      transformFilters(g, stepO, flip, nA, dst, plane, 4);
      if (nB > 0) transformFilters(g + 4 * stepO, stepO, flip, nB, dst + 16, plane, MR - 4);
      else for (let xi = 0; xi < 64; xi++) store4(dst + 16 + <usize>xi * plane, MR - 4, f32x4.splat(0));
    }
  }
}

// ---- input transform --------------------------------------------------------

/**
 * V[ξ][c][t] = (Bᵀ d B)[ξ] for the 8x8 input tiles d of the tile rows [R0, R1) of
 * x [N, C, H, W], tile (th, tw) at input (6th - pH, 6tw - pW); outside reads 0.
 * Channels split between threads. `line`: winograd6LineFloats(tilesW) per thread.
 */
export function winograd6Input(
  x: usize, C: i32, H: i32, W: i32, pH: i32, pW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  v: usize, line: usize, tid: i32, nthreads: i32,
): void {
  const c1 = unitStart(C, tid + 1, nthreads);
  const lf = lineFloats(tilesW);
  const buf = line + (<usize>tid * winograd6LineFloats(tilesW) << 2);
  const Tb = (R1 - R0) * tilesW;
  for (let c = unitStart(C, tid, nthreads); c < c1; c++) {
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const src = x + ((<usize>n * C + c) * H * W << 2);
      for (let r = 0; r < 8; r++) fillLine(buf + (<usize>(r * lf) << 2), src, 6 * th - pH + r, H, W, pW, lf);
      inputTiles(buf, lf, tilesW, v + ((<usize>c * Tb + (R - R0) * tilesW) << 2), <usize>winograd4TilePlane(C, Tb) << 2);
    }
  }
}

// The tiles of one tile row from its 8 lines at buf: first the rows of Bᵀ d
// (element-wise over the lines, into lines 8..15), then per 4-tile group and
// row the columns 6q + j of the 4 tiles q gathered into z_j (one tile per
// lane) and · B, stored at p + ξ·plane.
// @ts-ignore: decorator
@inline function inputTiles(buf: usize, lf: i32, tilesW: i32, p: usize, plane: usize): void {
  const lb = <usize>lf << 2;
  const s = buf + 8 * lb;
  for (let k = 0; k < lf; k += 4) {
    const q = buf + (<usize>k << 2);
    inputT(s + (<usize>k << 2), lb, v128.load(q), v128.load(q + lb), v128.load(q + 2 * lb), v128.load(q + 3 * lb),
      v128.load(q + 4 * lb), v128.load(q + 5 * lb), v128.load(q + 6 * lb), v128.load(q + 7 * lb), 4);
  }
  for (let tw = 0; tw < tilesW; tw += 4) {
    const lanes = min(4, tilesW - tw);
    for (let i = 0; i < 8; i++) {
      const l = s + <usize>i * lb + (<usize>(6 * tw) << 2);
      const a0 = v128.load(l), a1 = v128.load(l, 16), a2 = v128.load(l, 32), a3 = v128.load(l, 48);
      const a4 = v128.load(l, 64), a5 = v128.load(l, 80), a6 = v128.load(l, 96);
      // pairs (z_j, z_j+1) of the first two tiles (columns j, 6+j, j+1, 7+j) from a0..a3,
      // of the last two (12 columns on) from a3..a6
      const t01 = v128.shuffle<f32>(a0, a1, 0, 6, 1, 7), u01 = v128.shuffle<f32>(a3, a4, 0, 6, 1, 7);
      const t23 = v128.shuffle<f32>(a0, a2, 2, 4, 3, 5), u23 = v128.shuffle<f32>(a3, a5, 2, 4, 3, 5);
      const t45 = v128.shuffle<f32>(a1, a2, 0, 6, 1, 7), u45 = v128.shuffle<f32>(a4, a5, 0, 6, 1, 7);
      const t67 = v128.shuffle<f32>(a1, a3, 2, 4, 3, 5), u67 = v128.shuffle<f32>(a4, a6, 2, 4, 3, 5);
      inputT(p + (<usize>(8 * i) * plane) + (<usize>tw << 2), plane,
        v128.shuffle<f32>(t01, u01, 0, 1, 4, 5), v128.shuffle<f32>(t01, u01, 2, 3, 6, 7),
        v128.shuffle<f32>(t23, u23, 0, 1, 4, 5), v128.shuffle<f32>(t23, u23, 2, 3, 6, 7),
        v128.shuffle<f32>(t45, u45, 0, 1, 4, 5), v128.shuffle<f32>(t45, u45, 2, 3, 6, 7),
        v128.shuffle<f32>(t67, u67, 0, 1, 4, 5), v128.shuffle<f32>(t67, u67, 2, 3, 6, 7), lanes);
    }
  }
}

// ---- output transform -------------------------------------------------------

// y[n, o, 6th + a, 6tw + b] = epilogue((Aᵀ M A)[a][b]) for the tiles of the tile
// rows [R0, R1) and the output channels [o0, o1), from M[ξ][o][t]; parts of
// tiles past OH or OW are dropped. The epilogue is winograd4Output's
// (affinePlanesInPlace's arithmetic). buf: this thread's line scratch.
function outputChannels(
  m: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  scale: usize, shift: usize, res: usize, relu: i32, y: usize, buf: usize, o0: i32, o1: i32,
): void {
  const tmp = buf + (<usize>(16 * lineFloats(tilesW)) << 2); // tmp[a][j]: 6 rows of 8 vectors
  const row = tmp + 768; // one output row's 6 vectors
  const Tb = (R1 - R0) * tilesW;
  const plane = <usize>winograd4TilePlane(O, Tb) << 2;
  for (let o = o0; o < o1; o++) {
    const av = f32x4.splat(scale ? load<f32>(scale + (<usize>o << 2)) : 1);
    const sv = f32x4.splat(shift ? load<f32>(shift + (<usize>o << 2)) : 0);
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const outOff = (<usize>n * O + o) * OH * OW << 2;
      for (let tw = 0; tw < tilesW; tw += 4) {
        const p = m + ((<usize>o * Tb + (R - R0) * tilesW + tw) << 2);
        // columns j: the 6 rows of Aᵀ M into tmp[a][j]
        for (let j = 0; j < 8; j++) {
          const q = p + <usize>j * plane;
          outputT(tmp + (<usize>j << 4), 128, v128.load(q), v128.load(q + 8 * plane), v128.load(q + 16 * plane),
            v128.load(q + 24 * plane), v128.load(q + 32 * plane), v128.load(q + 40 * plane), v128.load(q + 48 * plane),
            v128.load(q + 56 * plane));
        }
        const ow = 6 * tw;
        const cols = min(24, OW - ow); // valid output columns of these 4 tiles
        for (let a = 0; a < 6; a++) {
          const oh = 6 * th + a;
          if (oh >= OH) break;
          const t = tmp + <usize>(128 * a);
          outputT(row, 16, v128.load(t), v128.load(t, 16), v128.load(t, 32), v128.load(t, 48),
            v128.load(t, 64), v128.load(t, 80), v128.load(t, 96), v128.load(t, 112));
          // y_b lane q = column 6q + b: 24 columns as 6 vectors, via a 4x4 transpose of y0..y3
          const y0 = v128.load(row), y1 = v128.load(row, 16), y2 = v128.load(row, 32);
          const y3 = v128.load(row, 48), y4 = v128.load(row, 64), y5 = v128.load(row, 80);
          const t0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
          const q0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), q1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7); // tiles 0, 1: columns 0-3
          const q2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), q3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7); // tiles 2, 3
          const e0 = v128.shuffle<f32>(y4, y5, 0, 4, 1, 5), e1 = v128.shuffle<f32>(y4, y5, 2, 6, 3, 7); // columns 4, 5 of tiles 0, 1 / 2, 3
          const rowOff = outOff + ((<usize>oh * OW + ow) << 2);
          const dst = y + rowOff;
          const r = res ? res + rowOff : 0;
          outputVec(dst, r, 0, cols, q0, av, sv, scale, shift, relu);
          if (cols > 4) outputVec(dst, r, 4, cols - 4, v128.shuffle<f32>(e0, q1, 0, 1, 4, 5), av, sv, scale, shift, relu);
          if (cols > 8) outputVec(dst, r, 8, cols - 8, v128.shuffle<f32>(q1, e0, 2, 3, 6, 7), av, sv, scale, shift, relu);
          if (cols > 12) outputVec(dst, r, 12, cols - 12, q2, av, sv, scale, shift, relu);
          if (cols > 16) outputVec(dst, r, 16, cols - 16, v128.shuffle<f32>(e1, q3, 0, 1, 4, 5), av, sv, scale, shift, relu);
          if (cols > 20) outputVec(dst, r, 20, cols - 20, v128.shuffle<f32>(q3, e1, 2, 3, 6, 7), av, sv, scale, shift, relu);
        }
      }
    }
  }
}

// ---- whole convolutions -----------------------------------------------------

// The 64 GEMMs of one band for the output channels [o0, o1) (o0 a multiple of MR).
// @ts-ignore: decorator
@inline function bandGemms(u: usize, v: usize, m: usize, O: i32, I: i32, Tb: i32, o0: i32, o1: i32, scratch: usize): void {
  for (let xi = 0; xi < 64; xi++) {
    gemmPackedA(o0, o1, Tb, I, u + (<usize>xi * winograd4PackedPlane(O, I) << 2), v + (<usize>xi * winograd4TilePlane(I, Tb) << 2), Tb,
      m + (<usize>xi * winograd4TilePlane(O, Tb) << 2), Tb, scratch);
  }
}

/**
 * A whole F(6x6,3x3) convolution in one dispatch, as winograd4ConvBands: the
 * tile rows [0, R) in bands of `rows`, band b run start to end (input transform,
 * 64 GEMMs, output transform with its epilogue) by thread b % nthreads on its
 * own buffers. Per thread: v (64 planes of winograd4TilePlane(I, rows*tilesW) floats), m (the same for O, + 4),
 * line (winograd6LineFloats), a GEMM packing area; `*Stride` bytes apart.
 */
export function winograd6ConvBands(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, O: i32, OH: i32, OW: i32, R: i32, rows: i32,
  u: usize, scale: usize, shift: usize, res: usize, relu: i32, y: usize,
  v: usize, m: usize, line: usize, vStride: usize, mStride: usize, lineStride: usize,
  scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 5) / 6;
  const tilesW = (OW + 5) / 6;
  const myV = v + <usize>tid * vStride, myM = m + <usize>tid * mStride, myLine = line + <usize>tid * lineStride;
  const myScratch = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const bands = (R + rows - 1) / rows;
  for (let b = tid; b < bands; b += nthreads) {
    const R0 = b * rows;
    const R1 = min(R, R0 + rows);
    winograd6Input(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
    bandGemms(u, myV, myM, O, I, (R1 - R0) * tilesW, 0, O, myScratch);
    outputChannels(myM, O, OH, OW, tilesH, tilesW, R0, R1, scale, shift, res, relu, y, myLine, 0, O);
  }
}

/**
 * winograd6ConvBands split by output channels (whole GEMM row panels of MR, so
 * each row of M gets the bits of the whole GEMM) for when there are too few
 * bands to share. With `vReady` (one band) v already holds the input transform
 * and is shared; otherwise each thread transforms every band itself.
 */
export function winograd6ConvChannels(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, O: i32, OH: i32, OW: i32, R: i32, rows: i32,
  u: usize, scale: usize, shift: usize, res: usize, relu: i32, y: usize,
  v: usize, m: usize, line: usize, vStride: usize, mStride: usize, lineStride: usize,
  vReady: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 5) / 6;
  const tilesW = (OW + 5) / 6;
  const oTiles = (O + MR - 1) / MR;
  const o0 = min(O, unitStart(oTiles, tid, nthreads) * MR);
  const o1 = min(O, unitStart(oTiles, tid + 1, nthreads) * MR);
  if (o0 >= o1) return;
  const myV = v + <usize>tid * vStride, myM = m + <usize>tid * mStride, myLine = line + <usize>tid * lineStride;
  const myScratch = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const bands = (R + rows - 1) / rows;
  for (let b = 0; b < bands; b++) {
    const R0 = b * rows;
    const R1 = min(R, R0 + rows);
    if (!vReady) winograd6Input(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
    bandGemms(u, myV, myM, O, I, (R1 - R0) * tilesW, o0, o1, myScratch);
    outputChannels(myM, O, OH, OW, tilesH, tilesW, R0, R1, scale, shift, res, relu, y, myLine, o0, o1);
  }
}
