import { tileRowsBy8 } from "./gemm-tile";
// The relaxed build's GEMM tile: 6 rows x 8 columns of C (12 accumulators; FMA
// needs no temporary, so they fit V8's 16 xmm registers). Out of line for the
// reason gemm-5x8.ts gives.
export function gemm6x8(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  tileRowsBy8(6, kc, ap, bp, c, ldcB, load);
}
