import { madd } from "./madd";
// The GEMM register tile: ROWS x 8 of C held in f32x4 registers, the body that
// gemm-5x8.ts, gemm-6x8.ts and gemm-4x8.ts instantiate with their row count.
//
// Tile: MR rows x 8 columns of C. V8 gives wasm 16 xmm registers; mul+add needs
// a temporary per product, so 5x8 fits the baseline and 6x8 fits when FMA
// removes the temporary. Measured on one Zen 5 core (Node 20): 5x8 ~56-58
// GFLOP/s, 6x8 FMA ~60-62, against a register-only ceiling of ~60-64
// (assembly/ceiling.ts, bench/gemm.mjs).
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
export const NR: i32 = 8;

// c (rows x 8, row stride ldcB bytes) = (load ? c : 0) + sum_k a[k,:]^T b[k,:]
// over packed panels (gemm-pack.ts), which are MR wide whatever `rows` is.
// Accumulation is sequential in k for every element, so every tile shape gives
// the same bits. `rows` is a constant at each use (4, 5 or 6): inlined, the
// unused accumulators and branches fold away.
// @ts-ignore: decorator
@inline export function tileRowsBy8(rows: i32, kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  if (load) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldcB); c11 = v128.load(c + ldcB, 16);
    c20 = v128.load(c + 2 * ldcB); c21 = v128.load(c + 2 * ldcB, 16);
    c30 = v128.load(c + 3 * ldcB); c31 = v128.load(c + 3 * ldcB, 16);
    if (rows >= 5) { c40 = v128.load(c + 4 * ldcB); c41 = v128.load(c + 4 * ldcB, 16); }
    if (rows == 6) { c50 = v128.load(c + 5 * ldcB); c51 = v128.load(c + 5 * ldcB, 16); }
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(c00, a, b0); c01 = madd(c01, a, b1);
    a = v128.load32_splat(ap, 4);
    c10 = madd(c10, a, b0); c11 = madd(c11, a, b1);
    a = v128.load32_splat(ap, 8);
    c20 = madd(c20, a, b0); c21 = madd(c21, a, b1);
    a = v128.load32_splat(ap, 12);
    c30 = madd(c30, a, b0); c31 = madd(c31, a, b1);
    if (rows >= 5) {
      a = v128.load32_splat(ap, 16);
      c40 = madd(c40, a, b0); c41 = madd(c41, a, b1);
    }
    if (rows == 6) {
      a = v128.load32_splat(ap, 20);
      c50 = madd(c50, a, b0); c51 = madd(c51, a, b1);
    }
    ap += <usize>MR << 2; // the panel is MR wide (zero-padded rows past `rows`)
    bp += <usize>NR << 2;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldcB, c10); v128.store(c + ldcB, c11, 16);
  v128.store(c + 2 * ldcB, c20); v128.store(c + 2 * ldcB, c21, 16);
  v128.store(c + 3 * ldcB, c30); v128.store(c + 3 * ldcB, c31, 16);
  if (rows >= 5) { v128.store(c + 4 * ldcB, c40); v128.store(c + 4 * ldcB, c41, 16); }
  if (rows == 6) { v128.store(c + 5 * ldcB, c50); v128.store(c + 5 * ldcB, c51, 16); }
}

// The half-width tile: `rows` x 4 columns of C from the same packed panels (the
// first 4 of each NR-wide row of packed B), for a last column panel of exactly
// 4 (N % 8 == 4: F(4x4,3x3)'s 4 tiles of a 7x7 plane, or 84-tile bands), which
// the 8-wide tile computes twice over on a zero-padded edge copy. Same
// per-element order of operations as tileRowsBy8, so the same bits.
// @ts-ignore: decorator
@inline export function tileRowsBy4(rows: i32, kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  if (load) {
    c0 = v128.load(c); c1 = v128.load(c + ldcB); c2 = v128.load(c + 2 * ldcB); c3 = v128.load(c + 3 * ldcB);
    if (rows >= 5) c4 = v128.load(c + 4 * ldcB);
    if (rows == 6) c5 = v128.load(c + 5 * ldcB);
  }
  for (let k = 0; k < kc; k++) {
    const b = v128.load(bp);
    c0 = madd(c0, v128.load32_splat(ap), b);
    c1 = madd(c1, v128.load32_splat(ap, 4), b);
    c2 = madd(c2, v128.load32_splat(ap, 8), b);
    c3 = madd(c3, v128.load32_splat(ap, 12), b);
    if (rows >= 5) c4 = madd(c4, v128.load32_splat(ap, 16), b);
    if (rows == 6) c5 = madd(c5, v128.load32_splat(ap, 20), b);
    ap += <usize>MR << 2;
    bp += <usize>NR << 2;
  }
  v128.store(c, c0); v128.store(c + ldcB, c1); v128.store(c + 2 * ldcB, c2); v128.store(c + 3 * ldcB, c3);
  if (rows >= 5) v128.store(c + 4 * ldcB, c4);
  if (rows == 6) v128.store(c + 5 * ldcB, c5);
}
