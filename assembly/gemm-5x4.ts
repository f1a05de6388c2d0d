import { tileRowsBy4 } from "./gemm-tile";
// The baseline build's half-width tile: 5 rows x 4 columns of C (gemm-tile.ts,
// tileRowsBy4). Out of line for the reason gemm-5x8.ts gives.
export function gemm5x4(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  tileRowsBy4(5, kc, ap, bp, c, ldcB, load);
}
