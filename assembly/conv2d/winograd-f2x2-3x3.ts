// Winograd F(2x2, 3x3) transforms for 3x3 stride-1 convolutions (Lavin & Gray,
// 2015). A 2x2 output tile costs 16 multiplies instead of 36:
//   U = G g Gᵀ (weights),  V = Bᵀ d Bᵀᵀ (4x4 input tiles),  Y = Aᵀ (U ⊙ V) A.
// The products U ⊙ V summed over channels are 16 GEMMs, one per tile position ξ,
// done by the GEMM kernel in TypeScript (src/ops/conv2d/winograd-f2x2-3x3.ts):
//   M[ξ][o][t] = Σ_i U[ξ][o][i] · V[ξ][i][t].
// Tiles are numbered in a band of whole tile rows (which may span images):
// tile row R = n*tilesH + th, band-local tile t = (R - R0)*tilesW + tw.
//
// Threads split channels (input transform) or output channels (output
// transform): each value is computed by one thread in a fixed order.

import { gemm, gemmScratchFloats, MR } from "../gemm";

import { addFloats, unitStart } from "../elementwise";

// @ts-ignore: decorator
@inline function tap(g: usize, flip: i32, kh: i32, kw: i32): f32 {
  return load<f32>(g + (<usize>(flip ? (2 - kh) * 3 + 2 - kw : kh * 3 + kw) << 2));
}

// u[ξ = 4r + c] for one row r of t = G g: (G applied to the row's 3 values).
// @ts-ignore: decorator
@inline function storeRow(u: usize, plane: usize, r: i32, a: f32, b: f32, c: f32): void {
  const p = u + <usize>(4 * r) * plane;
  store<f32>(p, a);
  store<f32>(p + plane, (a + b + c) * 0.5);
  store<f32>(p + 2 * plane, (a - b + c) * 0.5);
  store<f32>(p + 3 * plane, c);
}

/**
 * U[ξ][o][i] for the 3x3 filters g = w[o, i] (w [O, I, 3, 3]). With `flip`, the
 * filters of the data gradient: g = w[i, o] rotated by 180° (w [I, O, 3, 3]),
 * since dx = conv(dy padded by 2 - p, those filters).
 */
export function winogradWeights(w: usize, O: i32, I: i32, flip: i32, u: usize, tid: i32, nthreads: i32): void {
  const o0 = unitStart(O, tid, nthreads);
  const o1 = unitStart(O, tid + 1, nthreads);
  const plane = <usize>O * I << 2; // bytes between ξ planes of U
  // the filter of (o, i) starts this many bytes after the one of (o, i - 1)
  const stepI: usize = (flip ? <usize>O * 9 : <usize>9) << 2;
  for (let o = o0; o < o1; o++) {
    let i = 0;
    // four input channels at a time, one per lane, stored as one vector per ξ
    for (; i + 4 <= I; i += 4) {
      const g = w + (<usize>(flip ? i * O + o : o * I + i) * 9 << 2);
      const dst = u + (<usize>(o * I + i) << 2);
      const g00 = taps4(g, stepI, flip, 0, 0), g01 = taps4(g, stepI, flip, 0, 1), g02 = taps4(g, stepI, flip, 0, 2);
      const g10 = taps4(g, stepI, flip, 1, 0), g11 = taps4(g, stepI, flip, 1, 1), g12 = taps4(g, stepI, flip, 1, 2);
      const g20 = taps4(g, stepI, flip, 2, 0), g21 = taps4(g, stepI, flip, 2, 1), g22 = taps4(g, stepI, flip, 2, 2);
      const h = f32x4.splat(0.5);
      // t = G g with G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1], then U = t Gᵀ row by row
      storeRow4(dst, plane, 0, g00, g01, g02);
      storeRow4(dst, plane, 1, f32x4.mul(f32x4.add(f32x4.add(g00, g10), g20), h), f32x4.mul(f32x4.add(f32x4.add(g01, g11), g21), h), f32x4.mul(f32x4.add(f32x4.add(g02, g12), g22), h));
      storeRow4(dst, plane, 2, f32x4.mul(f32x4.add(f32x4.sub(g00, g10), g20), h), f32x4.mul(f32x4.add(f32x4.sub(g01, g11), g21), h), f32x4.mul(f32x4.add(f32x4.sub(g02, g12), g22), h));
      storeRow4(dst, plane, 3, g20, g21, g22);
    }
    for (; i < I; i++) {
      const g = w + (<usize>(flip ? i * O + o : o * I + i) * 9 << 2);
      const dst = u + (<usize>(o * I + i) << 2);
      const g00 = tap(g, flip, 0, 0), g01 = tap(g, flip, 0, 1), g02 = tap(g, flip, 0, 2);
      const g10 = tap(g, flip, 1, 0), g11 = tap(g, flip, 1, 1), g12 = tap(g, flip, 1, 2);
      const g20 = tap(g, flip, 2, 0), g21 = tap(g, flip, 2, 1), g22 = tap(g, flip, 2, 2);
      storeRow(dst, plane, 0, g00, g01, g02);
      storeRow(dst, plane, 1, (g00 + g10 + g20) * 0.5, (g01 + g11 + g21) * 0.5, (g02 + g12 + g22) * 0.5);
      storeRow(dst, plane, 2, (g00 - g10 + g20) * 0.5, (g01 - g11 + g21) * 0.5, (g02 - g12 + g22) * 0.5);
      storeRow(dst, plane, 3, g20, g21, g22);
    }
  }
}

// Tap (kh, kw) of four consecutive filters (stepI bytes apart), one per lane.
// @ts-ignore: decorator
@inline function taps4(g: usize, stepI: usize, flip: i32, kh: i32, kw: i32): v128 {
  const p = g + (<usize>(flip ? (2 - kh) * 3 + 2 - kw : kh * 3 + kw) << 2);
  let v = v128.load32_zero(p);
  v = f32x4.replace_lane(v, 1, load<f32>(p + stepI));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * stepI));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * stepI));
}

// storeRow on four lanes: the same arithmetic as the scalar version, per lane.
// @ts-ignore: decorator
@inline function storeRow4(u: usize, plane: usize, r: i32, a: v128, b: v128, c: v128): void {
  const p = u + <usize>(4 * r) * plane;
  const h = f32x4.splat(0.5);
  v128.store(p, a);
  v128.store(p + plane, f32x4.mul(f32x4.add(f32x4.add(a, b), c), h));
  v128.store(p + 2 * plane, f32x4.mul(f32x4.add(f32x4.sub(a, b), c), h));
  v128.store(p + 3 * plane, c);
}

/**
 * V[ξ][c][t] = (Bᵀ d B)[ξ] for the 4x4 input tiles d of the tile rows [R0, R1)
 * of x [N, C, H, W], tile (th, tw) starting at input (2th - pH, 2tw - pW);
 * outside the image reads 0. `line` is per-thread scratch of 4 * lineFloats(tilesW)
 * floats: the four input rows of a tile row, zero-padded, so that four tiles
 * transform at once in registers.
 */
export function winogradInput(
  x: usize, C: i32, H: i32, W: i32, pH: i32, pW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  v: usize, line: usize, tid: i32, nthreads: i32,
): void {
  const c0 = unitStart(C, tid, nthreads);
  const c1 = unitStart(C, tid + 1, nthreads);
  const Tb = (R1 - R0) * tilesW;
  const lf = winogradLineFloats(tilesW);
  const buf = line + (<usize>tid * 4 * lf << 2);
  const plane = <usize>C * Tb << 2; // bytes between ξ planes of V
  for (let c = c0; c < c1; c++) {
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const src = x + ((<usize>n * C + c) * H * W << 2);
      // the 4 input rows of this tile row into the zero-padded line buffer
      for (let r = 0; r < 4; r++) {
        const ih = 2 * th - pH + r;
        const dst = buf + (<usize>(r * lf) << 2);
        if (ih >= 0 && ih < H) {
          // line column pW holds input column 0 (pW >= 0); zeros around it
          const n = min(W, lf - pW);
          memory.fill(dst, 0, <usize>pW << 2);
          memory.copy(dst + (<usize>pW << 2), src + (<usize>(ih * W) << 2), <usize>n << 2);
          memory.fill(dst + (<usize>(pW + n) << 2), 0, <usize>(lf - pW - n) << 2);
        } else {
          memory.fill(dst, 0, <usize>lf << 2);
        }
      }
      const tBase = (R - R0) * tilesW;
      for (let tw = 0; tw < tilesW; tw += 4) {
        // d[r][j] for 4 tiles (lanes): columns 2(tw+q) + j of line row r
        const l0 = buf + (<usize>(2 * tw) << 2);
        const l1 = l0 + (<usize>lf << 2), l2 = l1 + (<usize>lf << 2), l3 = l2 + (<usize>lf << 2);
        // s = Bᵀ d over rows: s0 = d0 - d2, s1 = d1 + d2, s2 = d2 - d1, s3 = d1 - d3 (per column j)
        let a = v128.load(l0), b = v128.load(l0, 16), a2 = v128.load(l0, 8), b2 = v128.load(l0, 24);
        const d00 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d01 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        const d02 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6), d03 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        a = v128.load(l1); b = v128.load(l1, 16); a2 = v128.load(l1, 8); b2 = v128.load(l1, 24);
        const d10 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d11 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        const d12 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6), d13 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        a = v128.load(l2); b = v128.load(l2, 16); a2 = v128.load(l2, 8); b2 = v128.load(l2, 24);
        const d20 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d21 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        const d22 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6), d23 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        a = v128.load(l3); b = v128.load(l3, 16); a2 = v128.load(l3, 8); b2 = v128.load(l3, 24);
        const d30 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d31 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        const d32 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6), d33 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
        const p = v + ((<usize>c * Tb + tBase + tw) << 2);
        const lanes = min(4, tilesW - tw);
        inputRow(p, plane, 0, lanes, f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23));
        inputRow(p, plane, 1, lanes, f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23));
        inputRow(p, plane, 2, lanes, f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13));
        inputRow(p, plane, 3, lanes, f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33));
      }
    }
  }
}

/** Floats of one zero-padded line: room for 4-tile groups reading 12 columns. */
export function winogradLineFloats(tilesW: i32): i32 {
  return 2 * ((tilesW + 3) & ~3) + 8;
}

// Row r of V = s B: columns s0 - s2, s1 + s2, s2 - s1, s1 - s3, stored at ξ = 4r + j.
// @ts-ignore: decorator
@inline function inputRow(p: usize, plane: usize, r: i32, lanes: i32, s0: v128, s1: v128, s2: v128, s3: v128): void {
  const q = p + <usize>(4 * r) * plane;
  store4(q, lanes, f32x4.sub(s0, s2));
  store4(q + plane, lanes, f32x4.add(s1, s2));
  store4(q + 2 * plane, lanes, f32x4.sub(s2, s1));
  store4(q + 3 * plane, lanes, f32x4.sub(s1, s3));
}

// Stores the first `lanes` lanes of v at p.
// @ts-ignore: decorator
@inline function store4(p: usize, lanes: i32, v: v128): void {
  if (lanes == 4) {
    v128.store(p, v);
  } else {
    store<f32>(p, f32x4.extract_lane(v, 0));
    if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}

/**
 * y[n, o, 2th + a, 2tw + b] = (Aᵀ M A)[a][b] + bias[o] for the tiles of the tile
 * rows [R0, R1), from M[ξ][o][t]; parts of tiles past OH or OW are dropped.
 */
export function winogradOutput(
  m: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  bias: usize, y: usize, tid: i32, nthreads: i32,
): void {
  outputChannels(m, O, OH, OW, tilesH, tilesW, R0, R1, bias, y, unitStart(O, tid, nthreads), unitStart(O, tid + 1, nthreads));
}

// winogradOutput for the output channels [o0, o1) only.
// @ts-ignore: decorator
@inline function outputChannels(
  m: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  bias: usize, y: usize, o0: i32, o1: i32,
): void {
  const Tb = (R1 - R0) * tilesW;
  const plane = <usize>O * Tb << 2;
  for (let o = o0; o < o1; o++) {
    const bv = f32x4.splat(bias ? load<f32>(bias + (<usize>o << 2)) : 0);
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const out = y + ((<usize>n * O + o) * OH * OW << 2);
      const oh = 2 * th;
      const tBase = (R - R0) * tilesW;
      for (let tw = 0; tw < tilesW; tw += 4) {
        const p = m + ((<usize>o * Tb + tBase + tw) << 2);
        // rows of Aᵀ M: p0 = m0 + m1 + m2, p1 = m1 - m2 - m3 (per column j)
        const m00 = v128.load(p), m01 = v128.load(p + plane), m02 = v128.load(p + 2 * plane), m03 = v128.load(p + 3 * plane);
        const m10 = v128.load(p + 4 * plane), m11 = v128.load(p + 5 * plane), m12 = v128.load(p + 6 * plane), m13 = v128.load(p + 7 * plane);
        const m20 = v128.load(p + 8 * plane), m21 = v128.load(p + 9 * plane), m22 = v128.load(p + 10 * plane), m23 = v128.load(p + 11 * plane);
        const m30 = v128.load(p + 12 * plane), m31 = v128.load(p + 13 * plane), m32 = v128.load(p + 14 * plane), m33 = v128.load(p + 15 * plane);
        const p00 = f32x4.add(f32x4.add(m00, m10), m20), p01 = f32x4.add(f32x4.add(m01, m11), m21);
        const p02 = f32x4.add(f32x4.add(m02, m12), m22), p03 = f32x4.add(f32x4.add(m03, m13), m23);
        const p10 = f32x4.sub(f32x4.sub(m10, m20), m30), p11 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const p12 = f32x4.sub(f32x4.sub(m12, m22), m32), p13 = f32x4.sub(f32x4.sub(m13, m23), m33);
        // then · A: y_a0 = p_a0 + p_a1 + p_a2, y_a1 = p_a1 - p_a2 - p_a3
        const y00 = f32x4.add(f32x4.add(f32x4.add(p00, p01), p02), bv);
        const y01 = f32x4.add(f32x4.sub(f32x4.sub(p01, p02), p03), bv);
        const y10 = f32x4.add(f32x4.add(f32x4.add(p10, p11), p12), bv);
        const y11 = f32x4.add(f32x4.sub(f32x4.sub(p11, p12), p13), bv);
        const ow = 2 * tw;
        const n8 = min(8, OW - ow); // valid output columns of these 4 tiles
        // lanes are tiles: interleave (y_a0, y_a1) into output column order
        outputRow(out + ((<usize>oh * OW + ow) << 2), n8, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7));
        if (oh + 1 < OH) {
          outputRow(out + ((<usize>(oh + 1) * OW + ow) << 2), n8, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7));
        }
      }
    }
  }
}

// Stores the first n (1..8) values of (lo, hi) at p.
// @ts-ignore: decorator
@inline function outputRow(p: usize, n: i32, lo: v128, hi: v128): void {
  if (n == 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  for (let k = 0; k < n; k++) {
    const v = k < 4 ? lo : hi;
    const j = k & 3;
    const f = j == 0 ? f32x4.extract_lane(v, 0) : j == 1 ? f32x4.extract_lane(v, 1) : j == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    store<f32>(p + (<usize>k << 2), f);
  }
}

/**
 * The 16 products M[ξ] = U[ξ]·V[ξ] ([O, I]·[I, Tb]) in one call: thread tid
 * computes whole GEMMs ξ = tid, tid + nthreads, … (each on its own packing
 * scratch), so one dispatch replaces 16 and no GEMM is cut into slivers. Which
 * thread computes a GEMM does not change its bits.
 */
export function winogradGemms(u: usize, v: usize, m: usize, O: i32, I: i32, Tb: i32, scratch: usize, tid: i32, nthreads: i32): void {
  const mine = scratch + (<usize>tid * gemmScratchFloats() << 2);
  for (let xi = tid; xi < 16; xi += nthreads) {
    gemm(0, 0, O, Tb, I, u + (<usize>xi * O * I << 2), I, v + (<usize>xi * I * Tb << 2), Tb, 0,
      m + (<usize>xi * O * Tb << 2), Tb, 0, 0, 0, mine, 0, 0, 1);
  }
}

// ---- filter gradient: F(3x3, 2x2) -------------------------------------------
// dW[o][i] (3x3) = Σ over 2x2 tiles of dy of the correlation of the 4x4 input
// tile with the 2x2 dy tile: Winograd F(3x3, 2x2) with the same input
// transform as above (V), D = G' dy G'ᵀ with G' = [1 0; ½ ½; ½ -½; 0 -1], and
// dW = Aᵀ S A with Aᵀ = [1 1 1 0; 0 1 -1 0; 0 1 1 1], where S[ξ] = Σ_t D[ξ]·V[ξ]ᵀ.

// Row r of D = t G'ᵀ from the row's two values (a, b), stored at ξ = 4r + j.
// @ts-ignore: decorator
@inline function gradRow(q: usize, plane: usize, lanes: i32, a: v128, b: v128): void {
  const h = f32x4.splat(0.5);
  store4(q, lanes, a);
  store4(q + plane, lanes, f32x4.mul(f32x4.add(a, b), h));
  store4(q + 2 * plane, lanes, f32x4.mul(f32x4.sub(a, b), h));
  store4(q + 3 * plane, lanes, f32x4.neg(b));
}

/**
 * D[ξ][o][t] for the 2x2 tiles of dy [N, O, OH, OW] in the tile rows [R0, R1)
 * (values past OH or OW are 0). `line` as for winogradInput (2 rows used).
 */
export function winogradGradTiles(
  dy: usize, O: i32, OH: i32, OW: i32, tilesH: i32, tilesW: i32, R0: i32, R1: i32,
  d: usize, line: usize, tid: i32, nthreads: i32,
): void {
  const o0 = unitStart(O, tid, nthreads);
  const o1 = unitStart(O, tid + 1, nthreads);
  const Tb = (R1 - R0) * tilesW;
  const lf = winogradLineFloats(tilesW);
  const buf = line + (<usize>tid * 4 * lf << 2);
  const plane = <usize>O * Tb << 2;
  const h = f32x4.splat(0.5);
  for (let o = o0; o < o1; o++) {
    for (let R = R0; R < R1; R++) {
      const n = R / tilesH;
      const th = R % tilesH;
      const src = dy + ((<usize>n * O + o) * OH * OW << 2);
      for (let r = 0; r < 2; r++) {
        const oh = 2 * th + r;
        const dst = buf + (<usize>(r * lf) << 2);
        const n = oh < OH ? min(OW, lf) : 0;
        if (n > 0) memory.copy(dst, src + (<usize>(oh * OW) << 2), <usize>n << 2);
        memory.fill(dst + (<usize>n << 2), 0, <usize>(lf - n) << 2);
      }
      const tBase = (R - R0) * tilesW;
      for (let tw = 0; tw < tilesW; tw += 4) {
        const l0 = buf + (<usize>(2 * tw) << 2);
        const l1 = l0 + (<usize>lf << 2);
        let a = v128.load(l0), b = v128.load(l0, 16);
        const d00 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d01 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        a = v128.load(l1); b = v128.load(l1, 16);
        const d10 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d11 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
        const q = d + ((<usize>o * Tb + tBase + tw) << 2);
        const lanes = min(4, tilesW - tw);
        // t = G' dy (rows): d0, (d0 + d1)/2, (d0 - d1)/2, -d1
        gradRow(q, plane, lanes, d00, d01);
        gradRow(q + 4 * plane, plane, lanes, f32x4.mul(f32x4.add(d00, d10), h), f32x4.mul(f32x4.add(d01, d11), h));
        gradRow(q + 8 * plane, plane, lanes, f32x4.mul(f32x4.sub(d00, d10), h), f32x4.mul(f32x4.sub(d01, d11), h));
        gradRow(q + 12 * plane, plane, lanes, f32x4.neg(d10), f32x4.neg(d11));
      }
    }
  }
}

/**
 * S[ξ] (+)= D[ξ]·V[ξ]ᵀ ([O, Tb]·[Tb, I]) for the 16 ξ in one call, whole GEMMs
 * per thread; `accumulate` after the first band (bands summed in order).
 */
export function winogradGradGemms(
  d: usize, v: usize, s: usize, O: i32, I: i32, Tb: i32, accumulate: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const mine = scratch + (<usize>tid * gemmScratchFloats() << 2);
  for (let xi = tid; xi < 16; xi += nthreads) {
    gemm(0, 1, O, I, Tb, d + (<usize>xi * O * Tb << 2), Tb, v + (<usize>xi * I * Tb << 2), Tb, accumulate,
      s + (<usize>xi * O * I << 2), I, 0, 0, 0, mine, 0, 0, 1);
  }
}

// Lane l of v to tap t of filter l (filters 9 floats apart at out).
// @ts-ignore: decorator
@inline function storeTap4(out: usize, t: i32, v: v128): void {
  const p = out + (<usize>t << 2);
  store<f32>(p, f32x4.extract_lane(v, 0));
  store<f32>(p, f32x4.extract_lane(v, 1), 36);
  store<f32>(p, f32x4.extract_lane(v, 2), 72);
  store<f32>(p, f32x4.extract_lane(v, 3), 108);
}

/**
 * dw[o, i, kh, kw] = (Aᵀ S[·][o][i] A)[kh][kw]: four input channels per
 * vector (one filter per lane, the scalar loop's sums in the same order, so
 * the same bits; measured 512x512: 2.4 ms scalar), the last I % 4 one at a time.
 */
export function winogradGradOutput(s: usize, O: i32, I: i32, dw: usize, tid: i32, nthreads: i32): void {
  const o0 = unitStart(O, tid, nthreads);
  const o1 = unitStart(O, tid + 1, nthreads);
  const plane = <usize>O * I << 2;
  const I4 = I & ~3;
  for (let o = o0; o < o1; o++) {
    for (let i = 0; i < I4; i += 4) {
      const p = s + (<usize>(o * I + i) << 2);
      const out = dw + (<usize>(o * I + i) * 9 << 2);
      const s00 = v128.load(p), s01 = v128.load(p + plane), s02 = v128.load(p + 2 * plane), s03 = v128.load(p + 3 * plane);
      const s10 = v128.load(p + 4 * plane), s11 = v128.load(p + 5 * plane), s12 = v128.load(p + 6 * plane), s13 = v128.load(p + 7 * plane);
      const s20 = v128.load(p + 8 * plane), s21 = v128.load(p + 9 * plane), s22 = v128.load(p + 10 * plane), s23 = v128.load(p + 11 * plane);
      const s30 = v128.load(p + 12 * plane), s31 = v128.load(p + 13 * plane), s32 = v128.load(p + 14 * plane), s33 = v128.load(p + 15 * plane);
      const r00 = f32x4.add(f32x4.add(s00, s10), s20), r01 = f32x4.add(f32x4.add(s01, s11), s21);
      const r02 = f32x4.add(f32x4.add(s02, s12), s22), r03 = f32x4.add(f32x4.add(s03, s13), s23);
      const r10 = f32x4.sub(s10, s20), r11 = f32x4.sub(s11, s21), r12 = f32x4.sub(s12, s22), r13 = f32x4.sub(s13, s23);
      const r20 = f32x4.add(f32x4.add(s10, s20), s30), r21 = f32x4.add(f32x4.add(s11, s21), s31);
      const r22 = f32x4.add(f32x4.add(s12, s22), s32), r23 = f32x4.add(f32x4.add(s13, s23), s33);
      storeTap4(out, 0, f32x4.add(f32x4.add(r00, r01), r02)); storeTap4(out, 1, f32x4.sub(r01, r02));
      storeTap4(out, 2, f32x4.add(f32x4.add(r01, r02), r03));
      storeTap4(out, 3, f32x4.add(f32x4.add(r10, r11), r12)); storeTap4(out, 4, f32x4.sub(r11, r12));
      storeTap4(out, 5, f32x4.add(f32x4.add(r11, r12), r13));
      storeTap4(out, 6, f32x4.add(f32x4.add(r20, r21), r22)); storeTap4(out, 7, f32x4.sub(r21, r22));
      storeTap4(out, 8, f32x4.add(f32x4.add(r21, r22), r23));
    }
    for (let i = I4; i < I; i++) {
      const p = s + (<usize>(o * I + i) << 2);
      const out = dw + (<usize>(o * I + i) * 9 << 2);
      // rows of Aᵀ S: r0 = s0 + s1 + s2, r1 = s1 - s2, r2 = s1 + s2 + s3 (4 columns each)
      const s00 = load<f32>(p), s01 = load<f32>(p + plane), s02 = load<f32>(p + 2 * plane), s03 = load<f32>(p + 3 * plane);
      const s10 = load<f32>(p + 4 * plane), s11 = load<f32>(p + 5 * plane), s12 = load<f32>(p + 6 * plane), s13 = load<f32>(p + 7 * plane);
      const s20 = load<f32>(p + 8 * plane), s21 = load<f32>(p + 9 * plane), s22 = load<f32>(p + 10 * plane), s23 = load<f32>(p + 11 * plane);
      const s30 = load<f32>(p + 12 * plane), s31 = load<f32>(p + 13 * plane), s32 = load<f32>(p + 14 * plane), s33 = load<f32>(p + 15 * plane);
      const r00 = s00 + s10 + s20, r01 = s01 + s11 + s21, r02 = s02 + s12 + s22, r03 = s03 + s13 + s23;
      const r10 = s10 - s20, r11 = s11 - s21, r12 = s12 - s22, r13 = s13 - s23;
      const r20 = s10 + s20 + s30, r21 = s11 + s21 + s31, r22 = s12 + s22 + s32, r23 = s13 + s23 + s33;
      // then · A per row: (c0 + c1 + c2, c1 - c2, c1 + c2 + c3)
      store<f32>(out, r00 + r01 + r02); store<f32>(out, r01 - r02, 4); store<f32>(out, r01 + r02 + r03, 8);
      store<f32>(out, r10 + r11 + r12, 12); store<f32>(out, r11 - r12, 16); store<f32>(out, r11 + r12 + r13, 20);
      store<f32>(out, r20 + r21 + r22, 24); store<f32>(out, r21 - r22, 28); store<f32>(out, r21 + r22 + r23, 32);
    }
  }
}

/**
 * A whole F(2x2,3x3) convolution in one dispatch: the tile rows [0, R) in bands
 * of `rows`; thread tid takes bands tid, tid + nthreads, … and runs each one
 * start to end (input transform, 16 GEMMs, output transform) on its own
 * buffers, so no thread waits for another and each band's data stays in one
 * core's cache. Which thread runs a band does not change its bits.
 * Per thread: v (16*I*rows*tilesW floats), m (16*O*rows*tilesW + 4), line
 * (4*winogradLineFloats(tilesW)) and a GEMM packing area, each `stride` bytes
 * apart between threads.
 */
export function winogradConvBands(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, O: i32, OH: i32, OW: i32, R: i32, rows: i32,
  u: usize, bias: usize, y: usize, v: usize, m: usize, line: usize, vStride: usize, mStride: usize, lineStride: usize,
  scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 1) >> 1;
  const tilesW = (OW + 1) >> 1;
  const myV = v + <usize>tid * vStride, myM = m + <usize>tid * mStride, myLine = line + <usize>tid * lineStride;
  const myScratch = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const bands = (R + rows - 1) / rows;
  for (let b = tid; b < bands; b += nthreads) {
    const R0 = b * rows;
    const R1 = min(R, R0 + rows);
    const Tb = (R1 - R0) * tilesW;
    winogradInput(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
    for (let xi = 0; xi < 16; xi++) {
      gemm(0, 0, O, Tb, I, u + (<usize>xi * O * I << 2), I, myV + (<usize>xi * I * Tb << 2), Tb, 0,
        myM + (<usize>xi * O * Tb << 2), Tb, 0, 0, 0, myScratch, 0, 0, 1);
    }
    winogradOutput(myM, O, OH, OW, tilesH, tilesW, R0, R1, bias, y, 0, 1);
  }
}

/**
 * winogradConvBands split by output channels instead of bands, for when there
 * are too few bands to share evenly (e.g. one 14x14 image: 7 tile rows). Every
 * thread walks all the bands, transforms the input itself (cheap next to the
 * GEMMs), and computes the rows [o0, o1) of the 16 GEMMs and their outputs;
 * o0 and o1 are multiples of the GEMM's MR, so each row of M lies in the same
 * MR-row panel as in the whole GEMM and gets the same bits. Same arguments and
 * per-thread buffers as winogradConvBands (M laid out for all O channels), but
 * with `vReady` set (one band, rows >= R) v already holds the input transform
 * (winogradInput, split over the threads beforehand) and is shared.
 */
export function winogradConvChannels(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, O: i32, OH: i32, OW: i32, R: i32, rows: i32,
  u: usize, bias: usize, y: usize, v: usize, m: usize, line: usize, vStride: usize, mStride: usize, lineStride: usize,
  vReady: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 1) >> 1;
  const tilesW = (OW + 1) >> 1;
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
    const Tb = (R1 - R0) * tilesW;
    if (!vReady) winogradInput(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
    for (let xi = 0; xi < 16; xi++) {
      gemm(0, 0, o1 - o0, Tb, I, u + ((<usize>xi * O + o0) * I << 2), I, myV + (<usize>xi * I * Tb << 2), Tb, 0,
        myM + ((<usize>xi * O + o0) * Tb << 2), Tb, 0, 0, 0, myScratch, 0, 0, 1);
    }
    outputChannels(myM, O, OH, OW, tilesH, tilesW, R0, R1, bias, y, o0, o1);
  }
}

/**
 * The filter gradient's sums in one dispatch. The bands of tile rows are dealt
 * to P partial sums (band b to partial b % P, in band order); thread tid fills
 * partials tid, tid + nthreads, … : for each of its bands the input and dy
 * transforms on its own buffers, then S_p[ξ] (+)= D[ξ]·V[ξ]ᵀ. P depends only on
 * the shapes, so every partial, and the ordered sum of them that
 * winogradGradReduce takes, has the same bits for any thread count.
 */
export function winogradGradBands(
  x: usize, I: i32, H: i32, W: i32, pH: i32, pW: i32, dy: usize, O: i32, OH: i32, OW: i32, R: i32, rows: i32, P: i32,
  s: usize, v: usize, d: usize, line: usize, vStride: usize, dStride: usize, lineStride: usize,
  scratch: usize, tid: i32, nthreads: i32,
): void {
  const tilesH = (OH + 1) >> 1;
  const tilesW = (OW + 1) >> 1;
  const myV = v + <usize>tid * vStride, myD = d + <usize>tid * dStride, myLine = line + <usize>tid * lineStride;
  const myScratch = scratch + (<usize>tid * gemmScratchFloats() << 2);
  const bands = (R + rows - 1) / rows;
  const sFloats = <usize>16 * O * I;
  for (let p = tid; p < P; p += nthreads) {
    const sp = s + (<usize>p * sFloats << 2);
    for (let b = p; b < bands; b += P) {
      const R0 = b * rows;
      const R1 = min(R, R0 + rows);
      const Tb = (R1 - R0) * tilesW;
      winogradInput(x, I, H, W, pH, pW, tilesH, tilesW, R0, R1, myV, myLine, 0, 1);
      winogradGradTiles(dy, O, OH, OW, tilesH, tilesW, R0, R1, myD, myLine, 0, 1);
      winogradGradGemms(myD, myV, sp, O, I, Tb, b == p ? 0 : 1, myScratch, 0, 1);
    }
  }
}

/** dw = Aᵀ (S_0 + S_1 + … + S_{P-1}) A, the partial sums added in order. */
export function winogradGradReduce(s: usize, P: i32, O: i32, I: i32, dw: usize, tid: i32, nthreads: i32): void {
  const n = 16 * O * I;
  const o0 = unitStart(O, tid, nthreads);
  const o1 = unitStart(O, tid + 1, nthreads);
  // sum into S_0 for this thread's rows (o0..o1) of every ξ plane, then transform them
  for (let xi = 0; xi < 16; xi++) {
    const base = (<usize>xi * O * I + <usize>o0 * I) << 2;
    const len = (o1 - o0) * I;
    for (let p = 1; p < P; p++) {
      const src = s + (<usize>p * n << 2) + base;
      const dst = s + base;
      addFloats(dst, src, len);
    }
  }
  winogradGradOutput(s, O, I, dw, tid, nthreads);
}
