// The GEMM of a convolution with few output pixels (ResNet's 7x7 planes: 49
// columns), computed transposed: yᵀ[cols, OC] = Bᵀ · Wᵀ, so the pixels are the
// micro-tile's MR rows and the output channels its 8 columns. W·B with 49
// columns computes 7 tiles of 8 (56 columns, the last tile 1/8 full, through
// the edge scratch); Bᵀ·Wᵀ computes 10 row tiles of 5 (50 rows) or 9 of 6.
// On ResNet-50's 7x7-output layers (1x1 and 3x3 stride 2) that is ~14% less
// time per layer (src/ops/conv2d/packed-forward.ts, TRANSPOSED_MAX_COLS).
//
//   y[OC, cols] (row stride ldy) = epilogue(W · B),  B = [K, cols] (row stride ldb)
//
// Wᵀ is kept packed as the tile's B panels (packConvWeightColumns: 8 output
// channels per panel, all K deep); each block of PIXEL_BLOCK rows of Bᵀ is
// packed per K block as the tile's A panels, and its yᵀ block is transposed
// into y with the epilogue. The products a·b are the same products
// (multiplication commutes exactly) summed in the same k order from 0, and the
// epilogue is packedConvGemm's arithmetic per element: the same bits as
// packedConvGemm and as the path's forward followed by affinePlanesInPlace.

import { KC, MR, NR, anyTile } from "../gemm";
import { packA, packB } from "../gemm-pack";
import { unitStart } from "../elementwise";
import { tr0, tr1, tr2, tr3 } from "../lanes";

/** Output pixels per yᵀ block (the block is transposed into y from scratch). */
const PIXEL_BLOCK: i32 = 64;
/** Output channels per yᵀ block (a multiple of NR). */
const OC_BLOCK: i32 = 1024;

/** Floats of Wᵀ [K, OC] in NR-column panels, each K deep. */
export function packedConvColumnFloats(OC: i32, K: i32): i32 {
  return ((OC + NR - 1) / NR) * NR * K;
}

/** Packs w [OC, K] (row-major) as Wᵀ's NR-column panels at dst; threads take whole panels. */
export function packConvWeightColumns(w: usize, OC: i32, K: i32, dst: usize, tid: i32, nthreads: i32): void {
  const panels = (OC + NR - 1) / NR;
  const p0 = unitStart(panels, tid, nthreads);
  const p1 = unitStart(panels, tid + 1, nthreads);
  if (p0 >= p1) return;
  const j0 = p0 * NR;
  packB(true, w, K, 0, j0, K, min(OC, p1 * NR) - j0, dst + (<usize>j0 * K << 2));
}

/** Floats of scratch one thread needs: Bᵀ's packed block, yᵀ's block and an edge tile. */
export function transposedConvScratchFloats(): i32 {
  return (PIXEL_BLOCK + MR) * KC + PIXEL_BLOCK * OC_BLOCK + MR * NR;
}

// y = relu?(v·scale + shift + res?) for 4 pixels of channel `ch` (packedConvGemm's epilogueRows arithmetic).
// @ts-ignore: decorator
@inline function epilogue4(v: v128, ch: i32, scale: usize, shift: usize, resp: usize, relu: bool): v128 {
  const o = <usize>ch << 2;
  if (shift != 0) v = scale != 0 ? f32x4.add(f32x4.mul(v, f32x4.splat(load<f32>(scale + o))), f32x4.splat(load<f32>(shift + o))) : f32x4.add(v, f32x4.splat(load<f32>(shift + o)));
  if (resp != 0) v = f32x4.add(v, v128.load(resp));
  if (relu) v = f32x4.max(v, f32x4.splat(0));
  return v;
}

// y[jc + j, i] = epilogue(t[i, j]) for i < cols, j < nc (t: yᵀ's block, row stride nc).
function transposeOut(
  t: usize, cols: i32, nc: i32, jc: i32, y: usize, ldy: i32, scale: usize, shift: usize, res: usize, relu: bool,
): void {
  const ncB = <usize>nc << 2;
  let i = 0;
  for (; i + 4 <= cols; i += 4) {
    let j = 0;
    for (; j + 4 <= nc; j += 4) {
      const s = t + ((<usize>i * nc + j) << 2);
      const r0 = v128.load(s), r1 = v128.load(s + ncB), r2 = v128.load(s + 2 * ncB), r3 = v128.load(s + 3 * ncB);
      const ch = jc + j;
      const off = (<usize>ch * ldy + i) << 2;
      const ldyB = <usize>ldy << 2;
      const rp = res != 0 ? res + off : 0;
      v128.store(y + off, epilogue4(tr0(r0, r1, r2, r3), ch, scale, shift, rp, relu));
      v128.store(y + off + ldyB, epilogue4(tr1(r0, r1, r2, r3), ch + 1, scale, shift, rp != 0 ? rp + ldyB : 0, relu));
      v128.store(y + off + 2 * ldyB, epilogue4(tr2(r0, r1, r2, r3), ch + 2, scale, shift, rp != 0 ? rp + 2 * ldyB : 0, relu));
      v128.store(y + off + 3 * ldyB, epilogue4(tr3(r0, r1, r2, r3), ch + 3, scale, shift, rp != 0 ? rp + 3 * ldyB : 0, relu));
    }
    for (; j < nc; j++) transposeScalar(t, i, i + 4, nc, j, jc, y, ldy, scale, shift, res, relu);
  }
  if (i < cols) for (let j = 0; j < nc; j++) transposeScalar(t, i, cols, nc, j, jc, y, ldy, scale, shift, res, relu);
}

// y[jc + j, i0..i1) from column j of t, one value at a time (the same operations as epilogue4's lanes).
function transposeScalar(
  t: usize, i0: i32, i1: i32, nc: i32, j: i32, jc: i32, y: usize, ldy: i32, scale: usize, shift: usize, res: usize, relu: bool,
): void {
  const ch = jc + j;
  const o = <usize>ch << 2;
  for (let i = i0; i < i1; i++) {
    let v = load<f32>(t + ((<usize>i * nc + j) << 2));
    if (shift != 0) v = scale != 0 ? v * load<f32>(scale + o) + load<f32>(shift + o) : v + load<f32>(shift + o);
    const off = (<usize>ch * ldy + i) << 2;
    if (res != 0) v = v + load<f32>(res + off);
    if (relu) v = f32x4.extract_lane(f32x4.max(f32x4.splat(v), f32x4.splat(0)), 0);
    store<f32>(y + off, v);
  }
}

/**
 * y = epilogue(W · B) as packedConvGemm, in blocks of PIXEL_BLOCK pixels.
 * `wt`: packConvWeightColumns' output for [OC, K]; `res` (0: none) has y's
 * layout. Threads split the output channels in NR multiples (each packs Bᵀ,
 * cols x K, for itself). Scratch: transposedConvScratchFloats() per thread.
 */
export function packedConvGemmTransposed(
  wt: usize, OC: i32, K: i32, b: usize, ldb: i32, cols: i32, y: usize, ldy: i32,
  scale: usize, shift: usize, res: usize, relu: i32, scratch: usize, tid: i32, nthreads: i32,
): void {
  const panels = (OC + NR - 1) / NR;
  const j0 = min(OC, unitStart(panels, tid, nthreads) * NR);
  const j1 = min(OC, unitStart(panels, tid + 1, nthreads) * NR);
  if (j0 >= j1 || cols <= 0) return;
  const mine = scratch + (<usize>tid * transposedConvScratchFloats() << 2);
  const packedBt = mine; // Bᵀ as MR-row panels, kc deep
  const t = packedBt + (<usize>(PIXEL_BLOCK + MR) * KC << 2); // yᵀ [cols, nc]
  const edge = t + (<usize>PIXEL_BLOCK * OC_BLOCK << 2);
  for (let ic = 0; ic < cols; ic += PIXEL_BLOCK) {
    const mc = min(PIXEL_BLOCK, cols - ic);
    for (let jc = j0; jc < j1; jc += OC_BLOCK) {
      const nc = min(OC_BLOCK, j1 - jc);
      const ldtB = <usize>nc << 2;
      for (let pc = 0; pc < K; pc += KC) {
        const kc = min(KC, K - pc);
        const loadC = pc > 0;
        packA(true, b, ldb, ic, pc, mc, kc, packedBt);
        for (let jr = 0; jr < nc; jr += NR) {
          const n = min(NR, nc - jr);
          const bp = wt + ((<usize>(jc + jr) * K + <usize>pc * NR) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            anyTile(kc, packedBt + (<usize>ir * kc << 2), bp, t + ((<usize>ir * nc + jr) << 2), ldtB, min(MR, mc - ir), n, loadC, edge);
          }
        }
      }
      if (K == 0) memory.fill(t, 0, <usize>mc * nc << 2);
      const at = <usize>ic << 2;
      transposeOut(t, mc, nc, jc, y + at, ldy, scale, shift, res != 0 ? res + at : 0, relu != 0);
    }
  }
}
