import { tileRowsBy8 } from "./gemm-tile";
// The 4-row edge tile (M % MR == 4: M = 64 in both builds, and 256 or 1024 in
// the relaxed one), so that edge needs neither the edge copy nor a wasted row.
// Same per-element order of operations as the full tile, so the same bits.
export function gemm4x8(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  tileRowsBy8(4, kc, ap, bp, c, ldcB, load);
}
