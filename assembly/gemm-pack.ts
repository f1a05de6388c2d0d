// GEMM operand packing: op(A) into MR-row panels, op(B) into NR-column panels,
// the layout the tiles (gemm-5x8.ts, gemm-6x8.ts, gemm-4x8.ts) read.
import { MR, NR } from "./gemm-tile";
import { tr0, tr1, tr2, tr3 } from "./lanes";

// Packing only moves values, so it never changes a bit of the result; it is
// vectorised because for skinny or deep shapes it is a real share of the time
// (3136x2304x256 packs 7.2M A values for 256 MACs each).

// Pack rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels:
// panel r holds, for each k, MR consecutive values (zero-padded past mc).
export function packA(transA: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const stepB = <usize>MR << 2; // bytes per k in a panel
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const panel = dst + (<usize>ir * kc << 2);
    if (!transA) {
      // A row-major [M,K]: element (i,k) at a[i*lda + k]
      const src = a + ((<usize>(i0 + ir) * lda + p0) << 2);
      const ldaB = <usize>lda << 2;
      let k = 0;
      if (rows == MR) {
        // 4 k at a time: transpose rows 0-3, then rows 4.. one value each.
        const s4 = src + 4 * ldaB;
        for (; k + 4 <= kc; k += 4) {
          const kb = <usize>k << 2;
          const r0 = v128.load(src + kb), r1 = v128.load(src + ldaB + kb);
          const r2 = v128.load(src + 2 * ldaB + kb), r3 = v128.load(src + 3 * ldaB + kb);
          const r4 = v128.load(s4 + kb);
          const d = panel + <usize>k * stepB;
          v128.store(d, tr0(r0, r1, r2, r3));
          v128.store(d + stepB, tr1(r0, r1, r2, r3));
          v128.store(d + 2 * stepB, tr2(r0, r1, r2, r3));
          v128.store(d + 3 * stepB, tr3(r0, r1, r2, r3));
          if (MR == 6) {
            const r5 = v128.load(s4 + ldaB + kb);
            // (r4[k], r5[k]) pairs for the 4 k, stored as 64-bit lanes
            const lo = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5), hi = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
            v128.store64_lane(d, lo, 0, 16);
            v128.store64_lane(d + stepB, lo, 1, 16);
            v128.store64_lane(d + 2 * stepB, hi, 0, 16);
            v128.store64_lane(d + 3 * stepB, hi, 1, 16);
          } else {
            v128.store32_lane(d, r4, 0, 16);
            v128.store32_lane(d + stepB, r4, 1, 16);
            v128.store32_lane(d + 2 * stepB, r4, 2, 16);
            v128.store32_lane(d + 3 * stepB, r4, 3, 16);
          }
        }
      }
      for (; k < kc; k++) {
        const d = panel + <usize>k * stepB;
        for (let r = 0; r < MR; r++) {
          store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(src + <usize>r * ldaB + (<usize>k << 2)) : 0);
        }
      }
    } else {
      // A stored [K,M]: element (i,k) at a[k*lda + i]; MR values per k are contiguous
      for (let k = 0; k < kc; k++) {
        const src = a + ((<usize>(p0 + k) * lda + i0 + ir) << 2);
        const d = panel + <usize>k * stepB;
        if (rows == MR) {
          v128.store(d, v128.load(src));
          store<f32>(d, load<f32>(src, 16), 16);
          if (MR == 6) store<f32>(d, load<f32>(src, 20), 20);
        } else {
          for (let r = 0; r < MR; r++) {
            store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
          }
        }
      }
    }
  }
}

// 8 floats from src + off to dst.
// @ts-ignore: decorator
@inline function copy8(src: usize, off: usize, dst: usize): void {
  v128.store(dst, v128.load(src + off));
  v128.store(dst, v128.load(src + off, 16), 16);
}

// Pack rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels:
// panel j holds, for each k, NR consecutive values (zero-padded past nc).
export function packB(transB: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const full = nc & ~(NR - 1); // columns in whole panels
  const panelB = <usize>kc * NR << 2;
  if (!transB) {
    // B row-major [K,N]: (k,j) at b[k*ldb + j]. Eight panels at a time: each
    // row of B gives 256 contiguous bytes (four whole cache lines) per k, and
    // the eight panels are written sequentially. B often comes from DRAM here
    // (64x4096x4096 packs 64 MB): one panel at a time measured ~1.2x slower,
    // walking B row by row over all panels ~1.7x slower.
    const ldbB = <usize>ldb << 2;
    let jr = 0;
    for (; jr + 8 * NR <= full; jr += 8 * NR) {
      let src = b + ((<usize>p0 * ldb + j0 + jr) << 2);
      let d = dst + (<usize>jr * kc << 2);
      for (let k = 0; k < kc; k++) {
        copy8(src, 0, d);
        copy8(src, 32, d + panelB);
        copy8(src, 64, d + 2 * panelB);
        copy8(src, 96, d + 3 * panelB);
        copy8(src, 128, d + 4 * panelB);
        copy8(src, 160, d + 5 * panelB);
        copy8(src, 192, d + 6 * panelB);
        copy8(src, 224, d + 7 * panelB);
        src += ldbB;
        d += <usize>NR << 2;
      }
    }
    for (; jr < full; jr += NR) {
      let src = b + ((<usize>p0 * ldb + j0 + jr) << 2);
      let d = dst + (<usize>jr * kc << 2);
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += ldbB;
        d += <usize>NR << 2;
      }
    }
    if (full < nc) {
      const cols = nc - full;
      const panel = dst + (<usize>full * kc << 2);
      for (let k = 0; k < kc; k++) {
        const src = b + ((<usize>(p0 + k) * ldb + j0 + full) << 2);
        const d = panel + (<usize>k * NR << 2);
        for (let c = 0; c < NR; c++) {
          store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : 0);
        }
      }
    }
    return;
  }
  // B stored [N,K]: (k,j) at b[j*ldb + k]. Whole panels: transpose 4 k x 8 columns at a time.
  const ldbB = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const panel = dst + (<usize>jr * kc << 2);
    const src = b + ((<usize>(j0 + jr) * ldb + p0) << 2);
    let k = 0;
    if (cols == NR) {
      for (; k + 4 <= kc; k += 4) {
        const s = src + (<usize>k << 2);
        const r0 = v128.load(s), r1 = v128.load(s + ldbB), r2 = v128.load(s + 2 * ldbB), r3 = v128.load(s + 3 * ldbB);
        const r4 = v128.load(s + 4 * ldbB), r5 = v128.load(s + 5 * ldbB), r6 = v128.load(s + 6 * ldbB), r7 = v128.load(s + 7 * ldbB);
        const d = panel + (<usize>k * NR << 2);
        v128.store(d, tr0(r0, r1, r2, r3)); v128.store(d, tr0(r4, r5, r6, r7), 16);
        v128.store(d, tr1(r0, r1, r2, r3), 32); v128.store(d, tr1(r4, r5, r6, r7), 48);
        v128.store(d, tr2(r0, r1, r2, r3), 64); v128.store(d, tr2(r4, r5, r6, r7), 80);
        v128.store(d, tr3(r0, r1, r2, r3), 96); v128.store(d, tr3(r4, r5, r6, r7), 112);
      }
    }
    for (; k < kc; k++) {
      const d = panel + (<usize>k * NR << 2);
      for (let c = 0; c < NR; c++) {
        store<f32>(d + (<usize>c << 2), c < cols ? load<f32>(src + <usize>c * ldbB + (<usize>k << 2)) : 0);
      }
    }
  }
}
