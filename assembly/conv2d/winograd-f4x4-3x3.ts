// Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions (Lavin & Gray, 2015) on the
// points 0, ±1, ±2, ∞ (the choice of ncnn and XNNPACK). A 4x4 output tile costs
// 36 multiplies instead of 144 (4x fewer than direct; F(2x2,3x3) gives 2.25x):
//   U = G g Gᵀ (weights, 6x6), V = Bᵀ d B (6x6 input tiles), Y = Aᵀ (U ⊙ V) A (4x4), with
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
// The products summed over channels are 36 GEMMs, one per position ξ = 6i + j:
//   M[ξ][o][t] = Σ_c U[ξ][o][c] · V[ξ][c][t]   (assembly/gemm.ts).
// Layout and banding as in winograd.ts (F(2x2,3x3)): tiles numbered in bands of
// whole tile rows, tile row R = n*tilesH + th, band-local t = (R - R0)*tilesW + tw.
// Lanes are 4 neighbouring tiles of a tile row (NCHW rows are contiguous along
// W, so a tile row's data loads as vectors and a 4x4 transpose puts one tile
// per lane). Every value is summed in one fixed order whatever the thread count.
//
// The filter gradient is the matching F(3x3, 4x4) (the transposed algorithm):
// dW = Gᵀ S G with S[ξ] = Σ_t D[ξ]·V[ξ]ᵀ, D = A dy Aᵀ for 4x4 dy tiles and V the
// same input transform as above.

import { gemm, gemmScratchFloats, MR } from "../gemm";
import { gemmPackedA, packedAFloats } from "../gemm-packed-a";

import { addFloats, unitStart } from "../elementwise";

/** Floats of one zero-padded line: a 4-tile group reads 20 columns from 16g. */
// @ts-ignore: decorator
@inline function lineFloats(tilesW: i32): i32 {
  return 4 * ((tilesW + 3) & ~3) + 8;
}

/**
 * Per-thread scratch floats of every F(4x4,3x3) kernel: 6 copied input rows,
 * their 6 row combinations, and 24 vectors for the output transform.
 */
export function winograd4LineFloats(tilesW: i32): i32 {
  return 12 * lineFloats(tilesW) + 96;
}

// ---- 1-D transforms ---------------------------------------------------------

// o = Bᵀ z for z of 6 values (vectors), written through `out` at stride `step` bytes.
// @ts-ignore: decorator
@inline function inputT(out: usize, step: usize, z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, lanes: i32): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const a = f32x4.sub(z4, f32x4.mul(z2, four)); // z4 - 4z2
  const b = f32x4.sub(z3, f32x4.mul(z1, four)); // z3 - 4z1
  const c = f32x4.sub(z4, z2);
  const d = f32x4.mul(f32x4.sub(z3, z1), two);
  store4(out, lanes, f32x4.add(f32x4.sub(f32x4.mul(z0, four), f32x4.mul(z2, five)), z4));
  store4(out + step, lanes, f32x4.add(a, b));
  store4(out + 2 * step, lanes, f32x4.sub(a, b));
  store4(out + 3 * step, lanes, f32x4.add(c, d));
  store4(out + 4 * step, lanes, f32x4.sub(c, d));
  store4(out + 5 * step, lanes, f32x4.add(f32x4.sub(f32x4.mul(z1, four), f32x4.mul(z3, five)), z5));
}

// Stores the first `lanes` lanes of v at p.
// @ts-ignore: decorator
@inline export function store4(p: usize, lanes: i32, v: v128): void {
  if (lanes == 4) {
    v128.store(p, v);
  } else {
    store<f32>(p, f32x4.extract_lane(v, 0));
    if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}

// (G z)[k] for the 3 values (a, b, c), one filter per lane.
// @ts-ignore: decorator
@inline function g0(a: v128, b: v128, c: v128): v128 { return f32x4.mul(a, f32x4.splat(0.25)); }
// @ts-ignore: decorator
@inline function g1(a: v128, b: v128, c: v128): v128 { return f32x4.mul(f32x4.add(f32x4.add(a, b), c), f32x4.splat(<f32>(-1.0 / 6.0))); }
// @ts-ignore: decorator
@inline function g2(a: v128, b: v128, c: v128): v128 { return f32x4.mul(f32x4.add(f32x4.sub(a, b), c), f32x4.splat(<f32>(-1.0 / 6.0))); }
// @ts-ignore: decorator
@inline function g3(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.mul(a, f32x4.splat(<f32>(1.0 / 24.0))), f32x4.mul(b, f32x4.splat(<f32>(1.0 / 12.0)))), f32x4.mul(c, f32x4.splat(<f32>(1.0 / 6.0))));
}
// @ts-ignore: decorator
@inline function g4(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.mul(a, f32x4.splat(<f32>(1.0 / 24.0))), f32x4.mul(b, f32x4.splat(<f32>(1.0 / 12.0)))), f32x4.mul(c, f32x4.splat(<f32>(1.0 / 6.0))));
}

// One row of U = t Gᵀ from the row (a, b, c) of t = G g, the first `lanes`
// lanes stored at ξ = 6r + j.
// @ts-ignore: decorator
@inline function weightRow(u: usize, plane: usize, r: i32, a: v128, b: v128, c: v128, lanes: i32): void {
  const p = u + <usize>(6 * r) * plane;
  store4(p, lanes, g0(a, b, c));
  store4(p + plane, lanes, g1(a, b, c));
  store4(p + 2 * plane, lanes, g2(a, b, c));
  store4(p + 3 * plane, lanes, g3(a, b, c));
  store4(p + 4 * plane, lanes, g4(a, b, c));
  store4(p + 5 * plane, lanes, c);
}

// Tap (kh, kw) of the first `lanes` of four filters (`step` bytes apart), one per lane; 0 in the others.
// @ts-ignore: decorator
@inline export function taps(g: usize, step: usize, flip: i32, kh: i32, kw: i32, lanes: i32): v128 {
  if (lanes <= 0) return f32x4.splat(0); // (g may lie past the weights then)
  const p = g + (<usize>(flip ? (2 - kh) * 3 + 2 - kw : kh * 3 + kw) << 2);
  let v = v128.load32_zero(p);
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + step));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
  if (lanes > 3) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
  return v;
}

/**
 * Floats between the ξ planes of the filter gradient's sums S: O·I plus one
 * cache line, so that the 36 planes (read together per filter) do not all fall
 * in the same L1 set when O·I is a power of two (measured: the weight transform
 * of 512x512 filters took 80 ms with planes exactly 1 MiB apart, 8 ms with this).
 */
export function winograd4FilterPlane(O: i32, I: i32): i32 {
  return O * I + 16;
}

/**
 * Floats between the ξ planes of the transformed filters U: each plane is the
 * GEMM's packed left operand (gemm-packed-a.ts) of U[ξ] [O, I], plus one cache
 * line for the reason of winograd4FilterPlane.
 */
export function winograd4PackedPlane(O: i32, I: i32): i32 {
  return packedAFloats(O, I) + 16;
}

// Tap (kh, kw) of the four filters at p0..p3, one per lane, ANDed with `mask`
// (lanes of padding filters are 0) unless the four are all real (`whole`).
// @ts-ignore: decorator
@inline function tapsAt(p0: usize, p1: usize, p2: usize, p3: usize, mask: v128, whole: bool, flip: i32, kh: i32, kw: i32): v128 {
  const off = <usize>(flip ? (2 - kh) * 3 + 2 - kw : kh * 3 + kw) << 2;
  let v = v128.load32_zero(p0 + off);
  v = f32x4.replace_lane(v, 1, load<f32>(p1 + off));
  v = f32x4.replace_lane(v, 2, load<f32>(p2 + off));
  v = f32x4.replace_lane(v, 3, load<f32>(p3 + off));
  return whole ? v : v128.and(v, mask);
}

// Lane l of vector q of a block (below) is the filter of row f % MR and input
// channel f / MR of the block, f = 4q + l: real while inside the block's `nf`
// floats and the layer's `rowsValid` output channels.
// @ts-ignore: decorator
@inline function laneReal(q: i32, l: i32, rowsValid: i32, nf: i32): bool {
  const f = 4 * q + l;
  return f < nf && f % MR < rowsValid;
}

// That filter's address, or w itself for a lane that is not real (any readable
// address: tapsAt masks the lane to 0).
// @ts-ignore: decorator
@inline function laneFilter(w: usize, base: usize, q: i32, l: i32, real: bool, stepO: usize, stepI: usize): usize {
  const f = 4 * q + l;
  return real ? base + <usize>(f % MR) * stepO + <usize>(f / MR) * stepI : w;
}

/**
 * U[ξ] (planes winograd4PackedPlane apart, each in packed GEMM panels of MR
 * output channels) for the 3x3 filters g = w[o, i] (w [O, I, 3, 3]); with
 * `flip` the data gradient's filters g = w[i, o] rotated by 180° (w [I, O, 3, 3]).
 * In a panel, the MR output channels of 4 consecutive input channels are
 * 4·MR consecutive floats of each plane: MR vectors, computed one per lane in
 * that order (lane l of vector q: row (4q + l) % MR, channel (4q + l) / MR),
 * so that every lane is a real filter and every store is a whole vector
 * (one per ξ). The same arithmetic per filter as one filter per lane in any
 * other order, so the values do not depend on the grouping. Panels split
 * between threads; padding rows past O are 0.
 */
export function winograd4Weights(w: usize, O: i32, I: i32, flip: i32, u: usize, tid: i32, nthreads: i32): void {
  const panels = (O + MR - 1) / MR;
  const p1 = unitStart(panels, tid + 1, nthreads);
  const plane = <usize>winograd4PackedPlane(O, I) << 2;
  // the filter of (o, i) starts stepO bytes after the one of (o - 1, i), stepI after (o, i - 1)
  const stepO: usize = (flip ? <usize>9 : <usize>I * 9) << 2;
  const stepI: usize = (flip ? <usize>O * 9 : <usize>9) << 2;
  for (let p = unitStart(panels, tid, nthreads); p < p1; p++) {
    const o0 = p * MR;
    const rowsValid = min(MR, O - o0);
    for (let i0 = 0; i0 < I; i0 += 4) {
      const nf = min(4, I - i0) * MR;
      const base = w + (<usize>(flip ? i0 * O + o0 : o0 * I + i0) * 9 << 2);
      const dst = u + (<usize>(o0 * I + i0 * MR) << 2);
      if (rowsValid == MR && nf == 4 * MR) {
        // a whole block: q literal, so the lanes' filters are constant offsets and none is masked
        weightVector(w, base, 0, MR, 4 * MR, stepO, stepI, flip, dst, plane, true);
        weightVector(w, base, 1, MR, 4 * MR, stepO, stepI, flip, dst, plane, true);
        weightVector(w, base, 2, MR, 4 * MR, stepO, stepI, flip, dst, plane, true);
        weightVector(w, base, 3, MR, 4 * MR, stepO, stepI, flip, dst, plane, true);
        weightVector(w, base, 4, MR, 4 * MR, stepO, stepI, flip, dst, plane, true);
        if (MR == 6) weightVector(w, base, 5, MR, 4 * MR, stepO, stepI, flip, dst, plane, true);
      } else {
        for (let q = 0; 4 * q < nf; q++) weightVector(w, base, q, rowsValid, nf, stepO, stepI, flip, dst, plane, false);
      }
    }
  }
}


// Vector q of a block of winograd4Weights: its 4 filters (laneReal, laneFilter)
// transformed and stored at dst + 16q + ξ·plane. `whole`: every lane is real.
// @ts-ignore: decorator
@inline function weightVector(
  w: usize, base: usize, q: i32, rowsValid: i32, nf: i32, stepO: usize, stepI: usize, flip: i32, dst: usize, plane: usize, whole: bool,
): void {
  const ra = whole || laneReal(q, 0, rowsValid, nf), rb = whole || laneReal(q, 1, rowsValid, nf);
  const rc = whole || laneReal(q, 2, rowsValid, nf), rd = whole || laneReal(q, 3, rowsValid, nf);
  const a = laneFilter(w, base, q, 0, ra, stepO, stepI), b = laneFilter(w, base, q, 1, rb, stepO, stepI);
  const c = laneFilter(w, base, q, 2, rc, stepO, stepI), d = laneFilter(w, base, q, 3, rd, stepO, stepI);
  let mask = i32x4.splat(-1);
  if (!whole) {
    mask = i32x4.replace_lane(mask, 0, ra ? -1 : 0);
    mask = i32x4.replace_lane(mask, 1, rb ? -1 : 0);
    mask = i32x4.replace_lane(mask, 2, rc ? -1 : 0);
    mask = i32x4.replace_lane(mask, 3, rd ? -1 : 0);
  }
  const a0 = tapsAt(a, b, c, d, mask, whole, flip, 0, 0), a1 = tapsAt(a, b, c, d, mask, whole, flip, 0, 1), a2 = tapsAt(a, b, c, d, mask, whole, flip, 0, 2);
  const b0 = tapsAt(a, b, c, d, mask, whole, flip, 1, 0), b1 = tapsAt(a, b, c, d, mask, whole, flip, 1, 1), b2 = tapsAt(a, b, c, d, mask, whole, flip, 1, 2);
  const c0 = tapsAt(a, b, c, d, mask, whole, flip, 2, 0), c1 = tapsAt(a, b, c, d, mask, whole, flip, 2, 1), c2 = tapsAt(a, b, c, d, mask, whole, flip, 2, 2);
  const lanes = whole ? 4 : min(4, nf - 4 * q);
  const out = dst + (<usize>q << 4);
  // t = G g column by column (rows of t), then each row times Gᵀ
  weightRow(out, plane, 0, g0(a0, b0, c0), g0(a1, b1, c1), g0(a2, b2, c2), lanes);
  weightRow(out, plane, 1, g1(a0, b0, c0), g1(a1, b1, c1), g1(a2, b2, c2), lanes);
  weightRow(out, plane, 2, g2(a0, b0, c0), g2(a1, b1, c1), g2(a2, b2, c2), lanes);
  weightRow(out, plane, 3, g3(a0, b0, c0), g3(a1, b1, c1), g3(a2, b2, c2), lanes);
  weightRow(out, plane, 4, g4(a0, b0, c0), g4(a1, b1, c1), g4(a2, b2, c2), lanes);
  weightRow(out, plane, 5, c0, c1, c2, lanes);
}

/**
 * Floats between the ξ planes of a band's transformed tiles (V [36][C][Tb],
 * M [36][O][Tb], D [36][O][Tb]): C·Tb rounded up to an odd number of cache
 * lines, so the 36 planes, which the transforms read or write together, fall
 * in 36 different L1 sets (C·Tb·4 a multiple of 4 KiB, e.g. 64 channels x
 * 224 tiles, put them all in one set: that band size measured 1.3x slower).
 */
export function winograd4TilePlane(C: i32, Tb: i32): i32 {
  return (((C * Tb + 15) >> 4) | 1) << 4;
}

// ---- input transform --------------------------------------------------------

// Copies image row `ih` of the plane `src` into a line of lf floats with column
// 0 at offset pW (0..2), zeros around it and for rows outside [0, H). Plain
// vector loops: memory.copy / memory.fill calls on these short rows cost more
// than the copy (the input transform ran 1.3x slower with them).
// @ts-ignore: decorator
@inline export function fillLine(dst: usize, src: usize, ih: i32, H: i32, W: i32, pW: i32, lf: i32): void {
  const zero = f32x4.splat(0);
  let k = 0;
  if (ih >= 0 && ih < H) {
    const n = max(0, min(W, lf - pW));
    const row = src + (<usize>(ih * W) << 2);
    const to = dst + (<usize>pW << 2);
    v128.store(dst, zero); // columns [0, pW)
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(to + (<usize>j << 2), v128.load(row + (<usize>j << 2)));
    for (; j < n; j++) store<f32>(to + (<usize>j << 2), load<f32>(row + (<usize>j << 2)));
    k = pW + n;
  }
  // zeros from column k to the end (the last store may run up to 3 floats past
  // lf, into the next line, which is written after this one)
  for (; k < lf; k += 4) v128.store(dst + (<usize>k << 2), zero);
}

/**
 * V[ξ][c][t] = (Bᵀ d B)[ξ] for the 6x6 input tiles d of the tile rows [R0, R1) of
 * x [N, C, H, W], tile (th, tw) at input (4th - pH, 4tw - pW); outside reads 0.
 * Channels split between threads. `line`: winograd4LineFloats(tilesW) per thread.
 */
export function winograd4Input(
  x: usize, C: i32, H: i32, W: i32, pH: i32, pW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  v: usize, line: usize, tid: i32, nthreads: i32,
): void {
  const c1 = unitStart(C, tid + 1, nthreads);
  const lf = lineFloats(tilesW);
  const buf = line + (<usize>tid * winograd4LineFloats(tilesW) << 2);
  const Tb = (R1 - R0) * tilesW;
  for (let c = unitStart(C, tid, nthreads); c < c1; c++) {
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const src = x + ((<usize>n * C + c) * H * W << 2);
      for (let r = 0; r < 6; r++) fillLine(buf + (<usize>(r * lf) << 2), src, 4 * th - pH + r, H, W, pW, lf);
      inputTiles(buf, lf, tilesW, v + ((<usize>c * Tb + (R - R0) * tilesW) << 2), <usize>winograd4TilePlane(C, Tb) << 2);
    }
  }
}

// The tiles of one tile row from its 6 lines at buf: first the rows of Bᵀ d
// (element-wise over the lines, into lines 6..11), then per 4-tile group and row
// a 4x4 transpose (one tile per lane) and · B, stored at p + ξ·plane.
// @ts-ignore: decorator
@inline function inputTiles(buf: usize, lf: i32, tilesW: i32, p: usize, plane: usize): void {
  const lb = <usize>lf << 2;
  const s = buf + 6 * lb;
  for (let k = 0; k < lf; k += 4) {
    const q = buf + (<usize>k << 2);
    inputT(s + (<usize>k << 2), lb, v128.load(q), v128.load(q + lb), v128.load(q + 2 * lb),
      v128.load(q + 3 * lb), v128.load(q + 4 * lb), v128.load(q + 5 * lb), 4);
  }
  for (let tw = 0; tw < tilesW; tw += 4) {
    const lanes = min(4, tilesW - tw);
    for (let i = 0; i < 6; i++) {
      const l = s + <usize>i * lb + (<usize>(4 * tw) << 2);
      const a0 = v128.load(l), a1 = v128.load(l, 16), a2 = v128.load(l, 32), a3 = v128.load(l, 48), a4 = v128.load(l, 64);
      // z_j lane q = column 4q + j: a 4x4 transpose of a0..a3, and columns 0, 1 of a1..a4
      const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
      const u0 = v128.shuffle<f32>(a1, a2, 0, 4, 1, 5), u1 = v128.shuffle<f32>(a3, a4, 0, 4, 1, 5);
      inputT(p + (<usize>(6 * i) * plane) + (<usize>tw << 2), plane,
        v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7),
        v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7),
        v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7), lanes);
    }
  }
}

// ---- output transform -------------------------------------------------------

/**
 * y[n, o, 4th + a, 4tw + b] = epilogue((Aᵀ M A)[a][b]) for the tiles of the tile
 * rows [R0, R1), from M[ξ][o][t]; parts of tiles past OH or OW are dropped.
 * The epilogue is affinePlanesInPlace's (assembly/inference.ts), same arithmetic
 * so the same bits: v·scale[o] + shift[o] (v + shift[o] when scale is 0, nothing
 * when shift is 0), + res (same layout as y, when not 0), max(·, 0) when relu.
 * Output channels split between threads.
 */
export function winograd4Output(
  m: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  scale: usize, shift: usize, res: usize, relu: i32, y: usize, line: usize, tid: i32, nthreads: i32,
): void {
  const buf = line + (<usize>tid * winograd4LineFloats(tilesW) << 2);
  outputChannels(m, O, OH, OW, tilesH, tilesW, R0, R1, scale, shift, res, relu, y, buf,
    unitStart(O, tid, nthreads), unitStart(O, tid + 1, nthreads));
}

// winograd4Output for the output channels [o0, o1); tmp: 24 vectors of scratch.
function outputChannels(
  m: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  scale: usize, shift: usize, res: usize, relu: i32, y: usize, buf: usize, o0: i32, o1: i32,
): void {
  const tmp = buf + (<usize>(12 * lineFloats(tilesW)) << 2);
  const Tb = (R1 - R0) * tilesW;
  const plane = <usize>winograd4TilePlane(O, Tb) << 2;
  const two = f32x4.splat(2), four = f32x4.splat(4), eight = f32x4.splat(8);
  for (let o = o0; o < o1; o++) {
    const av = f32x4.splat(scale ? load<f32>(scale + (<usize>o << 2)) : 1);
    const sv = f32x4.splat(shift ? load<f32>(shift + (<usize>o << 2)) : 0);
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const outOff = (<usize>n * O + o) * OH * OW << 2;
      for (let tw = 0; tw < tilesW; tw += 4) {
        const p = m + ((<usize>o * Tb + (R - R0) * tilesW + tw) << 2);
        // columns j: the 4 rows of Aᵀ M into tmp[a][j]
        for (let j = 0; j < 6; j++) {
          const q = p + <usize>j * plane;
          const z0 = v128.load(q), z1 = v128.load(q + 6 * plane), z2 = v128.load(q + 12 * plane);
          const z3 = v128.load(q + 18 * plane), z4 = v128.load(q + 24 * plane), z5 = v128.load(q + 30 * plane);
          const t = tmp + (<usize>j << 4);
          const s12 = f32x4.add(z1, z2), d12 = f32x4.sub(z1, z2), s34 = f32x4.add(z3, z4), d34 = f32x4.sub(z3, z4);
          v128.store(t, f32x4.add(f32x4.add(z0, s12), s34));
          v128.store(t, f32x4.add(d12, f32x4.mul(d34, two)), 96);
          v128.store(t, f32x4.add(s12, f32x4.mul(s34, four)), 192);
          v128.store(t, f32x4.add(f32x4.add(d12, f32x4.mul(d34, eight)), z5), 288);
        }
        const ow = 4 * tw;
        const cols = min(16, OW - ow); // valid output columns of these 4 tiles
        for (let a = 0; a < 4; a++) {
          const oh = 4 * th + a;
          if (oh >= OH) break;
          const t = tmp + <usize>(96 * a);
          const z0 = v128.load(t), z1 = v128.load(t, 16), z2 = v128.load(t, 32);
          const z3 = v128.load(t, 48), z4 = v128.load(t, 64), z5 = v128.load(t, 80);
          const s12 = f32x4.add(z1, z2), d12 = f32x4.sub(z1, z2), s34 = f32x4.add(z3, z4), d34 = f32x4.sub(z3, z4);
          const y0 = f32x4.add(f32x4.add(z0, s12), s34);
          const y1 = f32x4.add(d12, f32x4.mul(d34, two));
          const y2 = f32x4.add(s12, f32x4.mul(s34, four));
          const y3 = f32x4.add(f32x4.add(d12, f32x4.mul(d34, eight)), z5);
          // lanes are tiles: transpose so each vector is 4 columns of one tile
          const t0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
          const rowOff = outOff + ((<usize>oh * OW + ow) << 2);
          const dst = y + rowOff;
          const r = res ? res + rowOff : 0;
          outputVec(dst, r, 0, cols, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), av, sv, scale, shift, relu);
          if (cols > 4) outputVec(dst, r, 4, cols - 4, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), av, sv, scale, shift, relu);
          if (cols > 8) outputVec(dst, r, 8, cols - 8, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), av, sv, scale, shift, relu);
          if (cols > 12) outputVec(dst, r, 12, cols - 12, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), av, sv, scale, shift, relu);
        }
      }
    }
  }
}

// The epilogue on 4 output columns starting at column k of the row at dst,
// stored for the first n (n >= 4: all four).
// @ts-ignore: decorator
@inline export function outputVec(dst: usize, res: usize, k: i32, n: i32, v: v128, av: v128, sv: v128, scale: usize, shift: usize, relu: i32): void {
  const off = <usize>k << 2;
  if (shift) v = scale ? f32x4.add(f32x4.mul(v, av), sv) : f32x4.add(v, sv);
  if (n >= 4) {
    if (res) v = f32x4.add(v, v128.load(res + off));
    if (relu) v = f32x4.max(v, f32x4.splat(0));
    v128.store(dst + off, v);
    return;
  }
  if (res) {
    let r = v128.load32_zero(res + off);
    if (n > 1) r = f32x4.replace_lane(r, 1, load<f32>(res + off, 4));
    if (n > 2) r = f32x4.replace_lane(r, 2, load<f32>(res + off, 8));
    v = f32x4.add(v, r);
  }
  if (relu) v = f32x4.max(v, f32x4.splat(0));
  store4(dst + off, n, v);
}

// ---- whole convolutions -----------------------------------------------------

// The 36 GEMMs of one band for the output channels [o0, o1) (o0 a multiple of MR).
// @ts-ignore: decorator
@inline function bandGemms(u: usize, v: usize, m: usize, O: i32, I: i32, Tb: i32, o0: i32, o1: i32, scratch: usize): void {
  for (let xi = 0; xi < 36; xi++) {
    gemmPackedA(o0, o1, Tb, I, u + (<usize>xi * winograd4PackedPlane(O, I) << 2), v + (<usize>xi * winograd4TilePlane(I, Tb) << 2), Tb,
      m + (<usize>xi * winograd4TilePlane(O, Tb) << 2), Tb, scratch);
  }
}

/**
 * A whole F(4x4,3x3) convolution in one dispatch, as winogradConvBands: the
 * tile rows [0, R) in bands of `rows`, band b run start to end (input transform,
 * 36 GEMMs, output transform with its epilogue) by thread b % nthreads on its
 * own buffers. Per thread: v (36 planes of winograd4TilePlane(I, rows*tilesW) floats), m (the same for O, + 4),
 * line (winograd4LineFloats), a GEMM packing area; `*Stride` bytes apart.
 */
export function winograd4ConvBands(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, O: i32, OH: i32, OW: i32, R: i32, rows: i32,
  u: usize, scale: usize, shift: usize, res: usize, relu: i32, y: usize,
  v: usize, m: usize, line: usize, vStride: usize, mStride: usize, lineStride: usize,
  scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 3) >> 2;
  const tilesW = (OW + 3) >> 2;
  const myV = v + <usize>tid * vStride, myM = m + <usize>tid * mStride, myLine = line + <usize>tid * lineStride;
  const myScratch = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const bands = (R + rows - 1) / rows;
  for (let b = tid; b < bands; b += nthreads) {
    const R0 = b * rows;
    const R1 = min(R, R0 + rows);
    winograd4Input(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
    bandGemms(u, myV, myM, O, I, (R1 - R0) * tilesW, 0, O, myScratch);
    outputChannels(myM, O, OH, OW, tilesH, tilesW, R0, R1, scale, shift, res, relu, y, myLine, 0, O);
  }
}

/**
 * winograd4ConvBands split by output channels (in whole GEMM row panels of MR,
 * so each row of M gets the bits of the whole GEMM) for when there are too few
 * bands to share. With `vReady` (one band) v already holds the input transform
 * and is shared; otherwise each thread transforms every band itself.
 */
export function winograd4ConvChannels(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, O: i32, OH: i32, OW: i32, R: i32, rows: i32,
  u: usize, scale: usize, shift: usize, res: usize, relu: i32, y: usize,
  v: usize, m: usize, line: usize, vStride: usize, mStride: usize, lineStride: usize,
  vReady: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 3) >> 2;
  const tilesW = (OW + 3) >> 2;
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
    if (!vReady) winograd4Input(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
    bandGemms(u, myV, myM, O, I, (R1 - R0) * tilesW, o0, o1, myScratch);
    outputChannels(myM, O, OH, OW, tilesH, tilesW, R0, R1, scale, shift, res, relu, y, myLine, o0, o1);
  }
}

// ---- filter gradient: F(3x3, 4x4) -------------------------------------------

// o = A e for the 4 values e (6 outputs): the dy transform, stored at stride `step`.
// @ts-ignore: decorator
@inline function gradT(out: usize, step: usize, e0: v128, e1: v128, e2: v128, e3: v128, lanes: i32): void {
  const two = f32x4.splat(2), four = f32x4.splat(4), eight = f32x4.splat(8);
  const s02 = f32x4.add(e0, e2), s13 = f32x4.add(e1, e3);
  const a = f32x4.add(e0, f32x4.mul(e2, four)), b = f32x4.add(f32x4.mul(e1, two), f32x4.mul(e3, eight));
  store4(out, lanes, e0);
  store4(out + step, lanes, f32x4.add(s02, s13));
  store4(out + 2 * step, lanes, f32x4.sub(s02, s13));
  store4(out + 3 * step, lanes, f32x4.add(a, b));
  store4(out + 4 * step, lanes, f32x4.sub(a, b));
  store4(out + 5 * step, lanes, e3);
}

/**
 * D[ξ][o][t] = (A e Aᵀ)[ξ] for the 4x4 tiles e of dy [N, O, OH, OW] in the tile
 * rows [R0, R1) (values past OH or OW are 0). Output channels split between threads.
 */
export function winograd4GradTiles(
  dy: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  d: usize, line: usize, tid: i32, nthreads: i32,
): void {
  const o1 = unitStart(O, tid + 1, nthreads);
  const lf = lineFloats(tilesW);
  const lb = <usize>lf << 2;
  const buf = line + (<usize>tid * winograd4LineFloats(tilesW) << 2);
  const s = buf + 4 * lb;
  const Tb = (R1 - R0) * tilesW;
  const plane = <usize>winograd4TilePlane(O, Tb) << 2;
  for (let o = unitStart(O, tid, nthreads); o < o1; o++) {
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const src = dy + ((<usize>n * O + o) * OH * OW << 2);
      for (let r = 0; r < 4; r++) fillLine(buf + <usize>r * lb, src, 4 * th + r, OH, OW, 0, lf);
      // rows of A e (element-wise over the 4 lines, into 6 lines at s)
      for (let k = 0; k < lf; k += 4) {
        const q = buf + (<usize>k << 2);
        gradT(s + (<usize>k << 2), lb, v128.load(q), v128.load(q + lb), v128.load(q + 2 * lb), v128.load(q + 3 * lb), 4);
      }
      const p = d + ((<usize>o * Tb + (R - R0) * tilesW) << 2);
      for (let tw = 0; tw < tilesW; tw += 4) {
        const lanes = min(4, tilesW - tw);
        for (let i = 0; i < 6; i++) {
          const l = s + <usize>i * lb + (<usize>(4 * tw) << 2);
          const a0 = v128.load(l), a1 = v128.load(l, 16), a2 = v128.load(l, 32), a3 = v128.load(l, 48);
          const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
          gradT(p + (<usize>(6 * i) * plane) + (<usize>tw << 2), plane,
            v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7),
            v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), lanes);
        }
      }
    }
  }
}

/**
 * The filter gradient's sums in one dispatch, as winogradGradBands: band b
 * goes to partial sum b % P (in band order), partial p to thread p % nthreads;
 * per band the input and dy transforms, then S_p[ξ] (+)= D[ξ]·V[ξ]ᵀ.
 */
export function winograd4GradBands(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, dy: usize, O: i32, OH: i32, OW: i32, R: i32, rows: i32, P: i32,
  s: usize, v: usize, d: usize, line: usize, vStride: usize, dStride: usize, lineStride: usize,
  scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 3) >> 2;
  const tilesW = (OW + 3) >> 2;
  const myV = v + <usize>tid * vStride, myD = d + <usize>tid * dStride, myLine = line + <usize>tid * lineStride;
  const myScratch = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const bands = (R + rows - 1) / rows;
  const sFloats = <usize>36 * winograd4FilterPlane(O, I);
  for (let p = tid; p < P; p += nthreads) {
    const sp = s + (<usize>p * sFloats << 2);
    for (let b = p; b < bands; b += P) {
      const R0 = b * rows;
      const R1 = min(R, R0 + rows);
      const Tb = (R1 - R0) * tilesW;
      winograd4Input(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
      winograd4GradTiles(dy, O, OH, OW, tilesH, tilesW, R0, R1, myD, myLine, 0, 1);
      for (let xi = 0; xi < 36; xi++) {
        gemm(0, 1, O, I, Tb, myD + (<usize>xi * winograd4TilePlane(O, Tb) << 2), Tb, myV + (<usize>xi * winograd4TilePlane(I, Tb) << 2), Tb, b == p ? 0 : 1,
          sp + (<usize>xi * winograd4FilterPlane(O, I) << 2), I, 0, 0, 0, myScratch, 0, 0, 1);
      }
    }
  }
}

/**
 * S[ξ] (+)= D[ξ]·V[ξ]ᵀ for the 36 ξ of one band, whole GEMMs per thread (ξ =
 * tid, tid + nthreads, …): the same GEMM calls as winograd4GradBands with one
 * partial, so the same bits; `accumulate` after the first band.
 */
export function winograd4GradGemms(
  d: usize, v: usize, s: usize, O: i32, I: i32, Tb: i32, accumulate: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const mine = scratch + (<usize>tid * gemmScratchFloats() << 2);
  for (let xi = tid; xi < 36; xi += nthreads) {
    gemm(0, 1, O, I, Tb, d + (<usize>xi * winograd4TilePlane(O, Tb) << 2), Tb, v + (<usize>xi * winograd4TilePlane(I, Tb) << 2), Tb, accumulate,
      s + (<usize>xi * winograd4FilterPlane(O, I) << 2), I, 0, 0, 0, mine, 0, 0, 1);
  }
}

// (Gᵀ z) for z of 6 values: the 3 filter taps, one filter per lane.
// @ts-ignore: decorator
@inline function gt0(z0: v128, z1: v128, z2: v128, z3: v128, z4: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.mul(z0, f32x4.splat(0.25)), f32x4.mul(f32x4.add(z1, z2), f32x4.splat(<f32>(1.0 / 6.0)))),
    f32x4.mul(f32x4.add(z3, z4), f32x4.splat(<f32>(1.0 / 24.0))));
}
// @ts-ignore: decorator
@inline function gt1(z1: v128, z2: v128, z3: v128, z4: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.sub(z2, z1), f32x4.splat(<f32>(1.0 / 6.0))), f32x4.mul(f32x4.sub(z3, z4), f32x4.splat(<f32>(1.0 / 12.0))));
}
// @ts-ignore: decorator
@inline function gt2(z1: v128, z2: v128, z3: v128, z4: v128, z5: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.sub(f32x4.sub(f32x4.add(z3, z4), z1), z2), f32x4.splat(<f32>(1.0 / 6.0))), z5);
}

// Rows 0..2 of Gᵀ z for the column z of S at c (4 consecutive filters, rows 6·plane apart).
// @ts-ignore: decorator
@inline function gradColumn0(c: usize, plane: usize): v128 {
  return gt0(v128.load(c), v128.load(c + 6 * plane), v128.load(c + 12 * plane), v128.load(c + 18 * plane), v128.load(c + 24 * plane));
}
// @ts-ignore: decorator
@inline function gradColumn1(c: usize, plane: usize): v128 {
  return gt1(v128.load(c + 6 * plane), v128.load(c + 12 * plane), v128.load(c + 18 * plane), v128.load(c + 24 * plane));
}
// @ts-ignore: decorator
@inline function gradColumn2(c: usize, plane: usize): v128 {
  return gt2(v128.load(c + 6 * plane), v128.load(c + 12 * plane), v128.load(c + 18 * plane), v128.load(c + 24 * plane), v128.load(c + 30 * plane));
}

// Lane l of v to tap t of filter l (filters 9 floats apart), for the first n lanes.
// @ts-ignore: decorator
@inline function storeTap(out: usize, t: i32, n: i32, v: v128): void {
  const p = out + (<usize>t << 2);
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 36);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 72);
  if (n > 3) store<f32>(p, f32x4.extract_lane(v, 3), 108);
}

/**
 * dw of n (1..4) filters (9 floats apart at out) = Gᵀ S G, from S[ξ] of the
 * n consecutive filters at p (ξ planes `plane` bytes apart).
 */
// @ts-ignore: decorator
@inline export function gradFilters(p: usize, plane: usize, out: usize, n: i32): void {
  // rows k of Gᵀ S (6 columns each), then each row · G: one row at a
  // time, so that its 6 columns stay in registers (the loads of the 36
  // planes hit L1 after the first row)
  const r00 = gradColumn0(p, plane), r01 = gradColumn0(p + plane, plane), r02 = gradColumn0(p + 2 * plane, plane);
  const r03 = gradColumn0(p + 3 * plane, plane), r04 = gradColumn0(p + 4 * plane, plane);
  storeTap(out, 0, n, gt0(r00, r01, r02, r03, r04));
  const r05 = gradColumn0(p + 5 * plane, plane);
  storeTap(out, 1, n, gt1(r01, r02, r03, r04));
  storeTap(out, 2, n, gt2(r01, r02, r03, r04, r05));
  const r10 = gradColumn1(p, plane), r11 = gradColumn1(p + plane, plane), r12 = gradColumn1(p + 2 * plane, plane);
  const r13 = gradColumn1(p + 3 * plane, plane), r14 = gradColumn1(p + 4 * plane, plane), r15 = gradColumn1(p + 5 * plane, plane);
  storeTap(out, 3, n, gt0(r10, r11, r12, r13, r14));
  storeTap(out, 4, n, gt1(r11, r12, r13, r14));
  storeTap(out, 5, n, gt2(r11, r12, r13, r14, r15));
  const r20 = gradColumn2(p, plane), r21 = gradColumn2(p + plane, plane), r22 = gradColumn2(p + 2 * plane, plane);
  const r23 = gradColumn2(p + 3 * plane, plane), r24 = gradColumn2(p + 4 * plane, plane), r25 = gradColumn2(p + 5 * plane, plane);
  storeTap(out, 6, n, gt0(r20, r21, r22, r23, r24));
  storeTap(out, 7, n, gt1(r21, r22, r23, r24));
  storeTap(out, 8, n, gt2(r21, r22, r23, r24, r25));
}

/**
 * dw[o, i] = Gᵀ (S_0 + … + S_{P-1})[·][o][i] G: the partial sums added in
 * order into S_0 (this thread's rows o), then the 6x6 → 3x3 transform.
 */
export function winograd4GradReduce(s: usize, P: i32, O: i32, I: i32, dw: usize, tid: i32, nthreads: i32): void {
  const n = <usize>36 * winograd4FilterPlane(O, I);
  const o0 = unitStart(O, tid, nthreads);
  const o1 = unitStart(O, tid + 1, nthreads);
  const len = (o1 - o0) * I;
  for (let xi = 0; xi < 36; xi++) {
    const base = (<usize>xi * winograd4FilterPlane(O, I) + <usize>o0 * I) << 2;
    for (let p = 1; p < P; p++) {
      const src = s + (<usize>p * n << 2) + base;
      const dst = s + base;
      addFloats(dst, src, len);
    }
  }
  const plane = <usize>winograd4FilterPlane(O, I) << 2;
  for (let o = o0; o < o1; o++) {
    // four input channels per lane group (S planes have a cache line of slack past their end)
    for (let i = 0; i < I; i += 4) {
      const n = min(4, I - i);
      const p = s + (<usize>(o * I + i) << 2);
      const out = dw + (<usize>(o * I + i) * 9 << 2);
      gradFilters(p, plane, out, n);
    }
  }
}
