// The transposing copy behind permute/transpose (src/ops/strided.ts): 32-bit
// words moved without being read as numbers (v128 shuffles keep every bit:
// NaN payloads, -0, int32 labels). Threads split the work by row blocks of
// every plane; each output word is written by one thread, so the result does
// not depend on the thread count.
import { unitStart } from "./elementwise";

const BLOCK = 16; // rows and columns per cache block (16×16 words = 1 KiB)

/**
 * For planes p < planes, rows i < rows, cols j < cols:
 *   dst[p·dPlane + j·dRow + i] = src[p·sPlane + i·sRow + j]   (in words)
 * i.e. each plane's rows × cols matrix (row stride sRow) lands transposed
 * (row stride dRow). 4×4 blocks go through registers.
 */
export function transposePlanes(
  src: usize, dst: usize, planes: i32, rows: i32, cols: i32, sRow: i32, dRow: i32, sPlane: i32, dPlane: i32,
  tid: i32, nthreads: i32,
): void {
  const rowBlocks = (rows + BLOCK - 1) / BLOCK;
  const units = planes * rowBlocks;
  const u1 = unitStart(units, tid + 1, nthreads);
  const sR = <usize>sRow << 2;
  const dR = <usize>dRow << 2;
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const p = u / rowBlocks;
    const i0 = (u % rowBlocks) * BLOCK;
    const i1 = min(rows, i0 + BLOCK);
    const sp = src + ((<usize>p * sPlane) << 2);
    const dp = dst + ((<usize>p * dPlane) << 2);
    for (let j0 = 0; j0 < cols; j0 += BLOCK) {
      const j1 = min(cols, j0 + BLOCK);
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        let j = j0;
        for (; j + 4 <= j1; j += 4) {
          const s = sp + ((<usize>i * sRow + j) << 2);
          const r0 = v128.load(s), r1 = v128.load(s + sR), r2 = v128.load(s + 2 * sR), r3 = v128.load(s + 3 * sR);
          const lo01 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
          const hi01 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
          const d = dp + ((<usize>j * dRow + i) << 2);
          v128.store(d, v128.shuffle<i32>(lo01, lo23, 0, 1, 4, 5));
          v128.store(d + dR, v128.shuffle<i32>(lo01, lo23, 2, 3, 6, 7));
          v128.store(d + 2 * dR, v128.shuffle<i32>(hi01, hi23, 0, 1, 4, 5));
          v128.store(d + 3 * dR, v128.shuffle<i32>(hi01, hi23, 2, 3, 6, 7));
        }
        for (; j < j1; j++) {
          for (let k = i; k < i + 4; k++) store<i32>(dp + ((<usize>j * dRow + k) << 2), load<i32>(sp + ((<usize>k * sRow + j) << 2)));
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) store<i32>(dp + ((<usize>j * dRow + i) << 2), load<i32>(sp + ((<usize>i * sRow + j) << 2)));
      }
    }
  }
}
