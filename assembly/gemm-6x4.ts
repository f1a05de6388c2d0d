import { tileRowsBy4 } from "./gemm-tile";
// The relaxed build's half-width tile: 6 rows x 4 columns of C (gemm-tile.ts,
// tileRowsBy4). Out of line for the reason gemm-5x8.ts gives.
export function gemm6x4(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  tileRowsBy4(6, kc, ap, bp, c, ldcB, load);
}
