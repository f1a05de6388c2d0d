import { madd } from "./madd";
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

// Tile: MR rows x 8 columns of C held in f32x4 registers. V8 gives wasm 16 xmm
// registers; mul+add needs a temporary per product, so 5x8 fits the baseline and
// 6x8 fits when FMA removes the temporary. Measured on one Zen 5 core (Node 20):
// 5x8 ~56-58 GFLOP/s, 6x8 FMA ~60-62, against a register-only ceiling of ~60-64
// (assembly/ceiling.ts, bench/gemm.mjs).
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
export const NR: i32 = 8;
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

// ---- packing ---------------------------------------------------------------
// Packing only moves values, so it never changes a bit of the result; it is
// vectorised because for skinny or deep shapes it is a real share of the time
// (3136x2304x256 packs 7.2M A values for 256 MACs each).

// Columns of the 4x4 block whose rows are r0..r3 (a register transpose).
// @ts-ignore: decorator
@inline function tr0(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function tr1(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), 2, 3, 6, 7);
}
// @ts-ignore: decorator
@inline function tr2(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), v128.shuffle<f32>(r2, r3, 2, 6, 3, 7), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function tr3(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), v128.shuffle<f32>(r2, r3, 2, 6, 3, 7), 2, 3, 6, 7);
}

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

// ---- micro-kernel ----------------------------------------------------------

// c (MR x 8, row stride ldcB bytes) = (load ? c : 0) + sum_k a[k,:]^T b[k,:]
// Accumulation is sequential in k for every element.
//
// Deliberately a function of its own, not @inline: inlined into the blocked
// driver (whose many live locals then share the loop), V8's register allocator
// spilled the accumulators and the baseline ran at ~25 GFLOP/s instead of ~56.
// Binaryen does not inline functions that contain loops, so it stays out of line.
// Unrolling the k loop by two also spilled (~31 GFLOP/s): keep it one k per trip.
export function microTile(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
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
    c40 = v128.load(c + 4 * ldcB); c41 = v128.load(c + 4 * ldcB, 16);
    if (MR == 6) { c50 = v128.load(c + 5 * ldcB); c51 = v128.load(c + 5 * ldcB, 16); }
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
    a = v128.load32_splat(ap, 16);
    c40 = madd(c40, a, b0); c41 = madd(c41, a, b1);
    if (MR == 6) {
      a = v128.load32_splat(ap, 20);
      c50 = madd(c50, a, b0); c51 = madd(c51, a, b1);
    }
    ap += <usize>MR << 2;
    bp += <usize>NR << 2;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldcB, c10); v128.store(c + ldcB, c11, 16);
  v128.store(c + 2 * ldcB, c20); v128.store(c + 2 * ldcB, c21, 16);
  v128.store(c + 3 * ldcB, c30); v128.store(c + 3 * ldcB, c31, 16);
  v128.store(c + 4 * ldcB, c40); v128.store(c + 4 * ldcB, c41, 16);
  if (MR == 6) { v128.store(c + 5 * ldcB, c50); v128.store(c + 5 * ldcB, c51, 16); }
}

// The same for a 4-row edge tile (M % MR == 4: M = 64 in both builds, and
// 256 or 1024 in the relaxed one), so it needs neither the edge copy nor a
// wasted row. Same per-element order of operations, so the same bits.
export function microTile4(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, load: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (load) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldcB); c11 = v128.load(c + ldcB, 16);
    c20 = v128.load(c + 2 * ldcB); c21 = v128.load(c + 2 * ldcB, 16);
    c30 = v128.load(c + 3 * ldcB); c31 = v128.load(c + 3 * ldcB, 16);
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
    ap += <usize>MR << 2; // the panel is still MR wide (zero-padded rows)
    bp += <usize>NR << 2;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldcB, c10); v128.store(c + ldcB, c11, 16);
  v128.store(c + 2 * ldcB, c20); v128.store(c + 2 * ldcB, c21, 16);
  v128.store(c + 3 * ldcB, c30); v128.store(c + 3 * ldcB, c31, 16);
}

// One rows x cols (<= MR x NR) tile of C from packed panels: the full-tile
// kernels, or for a partial tile the same kernel on the scratch tile `edge`
// (MR x NR floats) with the valid part copied back. Same arithmetic, so the
// same bits whatever the tile's position.
// @ts-ignore: decorator
@inline export function anyTile(kc: i32, ap: usize, bp: usize, cp: usize, ldcB: usize, rows: i32, cols: i32, loadC: bool, edge: usize): void {
  if (rows == MR && cols == NR) {
    microTile(kc, ap, bp, cp, ldcB, loadC);
  } else if (rows == 4 && cols == NR) {
    microTile4(kc, ap, bp, cp, ldcB, loadC);
  } else {
    for (let r = 0; r < MR; r++) {
      for (let q = 0; q < NR; q++) {
        const v: f32 = loadC && r < rows && q < cols ? load<f32>(cp + <usize>r * ldcB + (<usize>q << 2)) : 0;
        store<f32>(edge + (<usize>(r * NR + q) << 2), v);
      }
    }
    microTile(kc, ap, bp, edge, <usize>NR << 2, true);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        store<f32>(cp + <usize>r * ldcB + (<usize>q << 2), load<f32>(edge + (<usize>(r * NR + q) << 2)));
      }
    }
  }
}

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
