// Packed, register-blocked, cache-blocked float32 GEMM (Goto/BLIS loop nest).
//
//   C[M,N] (+)= op(A)[M,K] · op(B)[K,N]   then an optional bias + ReLU epilogue.
//
// Every C element is summed in k order starting from 0 (or from C when
// accumulating), with a separate multiply and add in the baseline build, so the
// result does not depend on the tile shape, the cache blocking or which thread
// computed it: the same bits for any thread count. The relaxed build uses FMA
// (different bits, same everywhere that build runs).
//
// All sizes are element counts; leading dimensions are in elements.
//
// Files: gemm-pack.ts packs the operands into panels; gemm-tile.ts is the
// register tile, instantiated by shape in gemm-5x8.ts (baseline), gemm-6x8.ts
// (relaxed) and gemm-4x8.ts (4-row edge); this file blocks, splits and finishes.
import { MR, NR } from "./gemm-tile";
import { packA, packB } from "./gemm-pack";
import { gemm5x8 } from "./gemm-5x8";
import { gemm6x8 } from "./gemm-6x8";
import { gemm4x8 } from "./gemm-4x8";
import { gemm5x4 } from "./gemm-5x4";
import { gemm6x4 } from "./gemm-6x4";
export { MR, NR };

// The full MR x 8 tile of this build.
// @ts-ignore: decorator
@inline function fullTile(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) gemm6x8(kc, ap, bp, c, ldcB, load);
  else gemm5x8(kc, ap, bp, c, ldcB, load);
}

// The MR x 4 half-width tile of this build (a last column panel of 4).
// @ts-ignore: decorator
@inline function halfTile(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) gemm6x4(kc, ap, bp, c, ldcB, load);
  else gemm5x4(kc, ap, bp, c, ldcB, load);
}

// One rows x cols (<= MR x NR) tile of C from packed panels: the full-tile
// kernels (MR x 4 for a last panel of 4 columns), or for another partial tile
// the full kernel on the scratch tile `edge` (MR x NR floats) with the valid
// part copied back. Same arithmetic, so the same bits whatever the tile's
// position. Shared with gemm-packed-a.ts.
// @ts-ignore: decorator
@inline export function anyTile(kc: i32, ap: usize, bp: usize, cp: usize, ldcB: usize, rows: i32, cols: i32, loadC: bool, edge: usize): void {
  if (rows == MR && cols == NR) {
    fullTile(kc, ap, bp, cp, ldcB, loadC);
  } else if (rows == 4 && cols == NR) {
    gemm4x8(kc, ap, bp, cp, ldcB, loadC);
  } else if (rows == MR && cols == 4) {
    halfTile(kc, ap, bp, cp, ldcB, loadC);
  } else {
    for (let r = 0; r < MR; r++) {
      for (let q = 0; q < NR; q++) {
        const v: f32 = loadC && r < rows && q < cols ? load<f32>(cp + <usize>r * ldcB + (<usize>q << 2)) : 0;
        store<f32>(edge + (<usize>(r * NR + q) << 2), v);
      }
    }
    fullTile(kc, ap, bp, edge, <usize>NR << 2, true);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        store<f32>(cp + <usize>r * ldcB + (<usize>q << 2), load<f32>(edge + (<usize>(r * NR + q) << 2)));
      }
    }
  }
}

// Cache blocking: A block MCxKC stays in L2, a KCxNR sliver of B in L1.
// KC 256-768, MC 60-240 and NC 512-2048 all measured within ~2% of these.
export const MC: i32 = 120;
export const KC: i32 = 384;
export const NC: i32 = 1024;

// Floats of scratch one thread needs for packing (A block + B block + edge tile).
export function gemmScratchFloats(): i32 {
  return (MC + MR) * KC + KC * (NC + NR) + MR * NR;
}

export const EPI_NONE: i32 = 0;
export const EPI_BIAS_ROW: i32 = 1; // bias[i] added to row i (conv: one per output channel)
export const EPI_BIAS_COL: i32 = 2; // bias[j] added to column j (linear: one per output feature)

// Epilogue over a rows x cols block of C: bias and ReLU. Applied once, after the
// last K block, so it never changes the k-order sum.
export function epilogue(c: usize, ldc: i32, i0: i32, j0: i32, rows: i32, cols: i32, bias: usize, epi: i32, relu: bool): void {
  if (epi == EPI_NONE && !relu) return;
  for (let i = 0; i < rows; i++) {
    let p = c + ((<usize>(i0 + i) * ldc + j0) << 2);
    const rb: f32 = epi == EPI_BIAS_ROW ? load<f32>(bias + (<usize>(i0 + i) << 2)) : 0;
    for (let j = 0; j < cols; j++) {
      let v = load<f32>(p);
      if (epi == EPI_BIAS_ROW) v += rb;
      else if (epi == EPI_BIAS_COL) v += load<f32>(bias + (<usize>(j0 + j) << 2));
      if (relu && !(v > 0)) v = v != v ? v : 0; // keep NaN visible, as PyTorch does
      store<f32>(p, v);
      p += 4;
    }
  }
}

// ---- the blocked driver over one sub-rectangle of C --------------------------

function gemmBlock(
  transA: bool, transB: bool, i0: i32, i1: i32, j0: i32, j1: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, accumulate: bool, c: usize, ldc: i32,
  bias: usize, epi: i32, relu: bool, scratch: usize,
): void {
  const packedA = scratch;
  const packedB = packedA + (<usize>(MC + MR) * KC << 2);
  const edge = packedB + (<usize>KC * (NC + NR) << 2);
  const ldcB = <usize>ldc << 2;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const first = pc == 0;
      const loadC = accumulate || !first;
      packB(transB, b, ldb, pc, jc, kc, nc, packedB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(transA, a, lda, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = packedB + (<usize>jr * kc << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = packedA + (<usize>ir * kc << 2);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            anyTile(kc, ap, bp, cp, ldcB, rows, cols, loadC, edge);
          }
        }
      }
    }
    if (K == 0 && !accumulate) {
      for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * ldc + jc) << 2), 0, <usize>nc << 2);
    }
    epilogue(c, ldc, i0, jc, i1 - i0, nc, bias, epi, relu);
  }
}

// Small problems: no packing, one row of C at a time in registers, k order as
// above. Gives the same bits as the packed path (tested).
function gemmSmall(
  transA: bool, transB: bool, i0: i32, i1: i32, j0: i32, j1: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, accumulate: bool, c: usize, ldc: i32,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      const cp = c + ((<usize>i * ldc + j) << 2);
      let acc: f32 = accumulate ? load<f32>(cp) : 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? load<f32>(a + ((<usize>k * lda + i) << 2)) : load<f32>(a + ((<usize>i * lda + k) << 2));
        const bv = transB ? load<f32>(b + ((<usize>j * ldb + k) << 2)) : load<f32>(b + ((<usize>k * ldb + j) << 2));
        acc += av * bv; // f32 mul then add: the rounding of the SIMD baseline path
      }
      store<f32>(cp, acc);
    }
  }
}

// Split C between nthreads deterministically: along M in MR multiples or
// along N in NR multiples, whichever is larger. Thread tid computes its
// part; which thread computes an element never changes its value.
export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  a: usize, lda: i32, b: usize, ldb: i32, accumulate: i32, c: usize, ldc: i32,
  bias: usize, epi: i32, relu: i32, scratch: usize, path: i32, tid: i32, nthreads: i32,
): void {
  let i0 = 0, i1 = M, j0 = 0, j1 = N;
  if (nthreads > 1) {
    const mTiles = (M + MR - 1) / MR;
    const nTiles = (N + NR - 1) / NR;
    // Split the larger of M and N: every thread packs all of the other
    // operand, so an M split repacks B (t-1)·K·N times over and an N split
    // repacks A (t-1)·M·K (64x4096x4096: B is 64 MB). Fall back to the other
    // side when the larger one has fewer tiles than threads.
    const splitM = M >= N ? mTiles >= nthreads || mTiles >= nTiles : nTiles < nthreads && mTiles > nTiles;
    if (splitM) {
      const per = (mTiles + nthreads - 1) / nthreads;
      i0 = min(M, tid * per * MR); i1 = min(M, (tid + 1) * per * MR);
    } else {
      const per = (nTiles + nthreads - 1) / nthreads;
      j0 = min(N, tid * per * NR); j1 = min(N, (tid + 1) * per * NR);
    }
    if (i0 >= i1 || j0 >= j1) return;
  }
  // path: 0 = choose, 1 = packed, 2 = small (unpacked). Relaxed: packed only.
  const small = !ASC_FEATURE_RELAXED_SIMD && (path == 2 || (path == 0 && <i64>(i1 - i0) * (j1 - j0) * K < 4096));
  if (small) {
    gemmSmall(transA != 0, transB != 0, i0, i1, j0, j1, K, a, lda, b, ldb, accumulate != 0, c, ldc);
    epilogue(c, ldc, i0, j0, i1 - i0, j1 - j0, bias, epi, relu != 0);
  } else {
    gemmBlock(transA != 0, transB != 0, i0, i1, j0, j1, K, a, lda, b, ldb, accumulate != 0, c, ldc, bias, epi, relu != 0, scratch + <usize>tid * (<usize>gemmScratchFloats() << 2));
  }
}
