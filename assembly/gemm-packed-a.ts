// C[M,N] = A[M,K] · B[K,N] with A already in the micro-kernel's packed layout:
// for a left operand that many GEMMs share (Winograd's transformed filters,
// one per ξ for every band), so it is packed once per call (or once per weight
// version, src/ops/conv2d/weight-cache.ts) instead of once per GEMM.
//
// Packed A (packedAFloats(M, K) floats): panel p = rows [p·MR, p·MR + MR) is
// K·MR floats, for each k the MR values of its rows (zero past M), so row i's
// panel starts at (i - i % MR)·K. Same loop nest, micro-kernels and edge tiles
// as gemm.ts's gemmBlock, hence the same bits as gemm() on the unpacked A
// (every C element is still summed in k order from 0).

import { anyTile, KC, MC, MR, NC, NR, packB } from "./gemm";

/** Floats of A [M, K] in packed panels. */
export function packedAFloats(M: i32, K: i32): i32 {
  return ((M + MR - 1) / MR) * MR * K;
}

/** Floats of packing scratch one thread needs for gemmPackedA: a B block and an edge tile. */
export function gemmPackedAScratchFloats(): i32 {
  return KC * (NC + NR) + MR * NR;
}

/**
 * C = A·B for the rows [i0, i1) of C (i0 a multiple of MR; `ap` is the packed
 * A of all M rows, K deep), B row-major [K, N] (ldb), C row-major (ldc).
 * One thread; `scratch`: gemmPackedAScratchFloats floats.
 */
export function gemmPackedA(i0: i32, i1: i32, N: i32, K: i32, ap: usize, b: usize, ldb: i32, c: usize, ldc: i32, scratch: usize): void {
  const packedB = scratch;
  const edge = packedB + (<usize>KC * (NC + NR) << 2);
  const ldcB = <usize>ldc << 2;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const loadC = pc > 0;
      packB(false, b, ldb, pc, jc, kc, nc, packedB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = packedB + (<usize>jr * kc << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const a = ap + ((<usize>(ic + ir) * K + <usize>pc * MR) << 2);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            anyTile(kc, a, bp, cp, ldcB, rows, cols, loadC, edge);
          }
        }
      }
    }
    if (K == 0) {
      for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * ldc + jc) << 2), 0, <usize>nc << 2);
    }
  }
}
