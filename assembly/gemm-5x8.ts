import { tileRowsBy8 } from "./gemm-tile";
// The baseline build's GEMM tile: 5 rows x 8 columns of C (10 accumulators,
// plus a temporary per mul+add, in V8's 16 xmm registers).
//
// Deliberately a function of its own, not @inline: inlined into the blocked
// driver (whose many live locals then share the loop), V8's register allocator
// spilled the accumulators and the baseline ran at ~25 GFLOP/s instead of ~56.
// Binaryen does not inline functions that contain loops, so it stays out of line.
// Unrolling the k loop by two also spilled (~31 GFLOP/s): keep it one k per trip.
export function gemm5x8(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  tileRowsBy8(5, kc, ap, bp, c, ldcB, load);
}
