import { kernels } from '../runtime/kernel-calls.js';
import { backend } from '../runtime/backend.js';

// Epilogues (assembly/gemm.ts): EPI_BIAS_ROW adds bias[i] to row i of C (conv:
// one per output channel), EPI_BIAS_COL bias[j] to column j (linear: one per output feature).
import { EPI_BIAS_COL, EPI_BIAS_ROW, EPI_NONE } from '../runtime/kernel-table.generated.js';
export { EPI_BIAS_COL, EPI_BIAS_ROW, EPI_NONE };

export interface GemmCall {
  /** A is stored [K, M] (read transposed) instead of [M, K]. */
  transA?: boolean;
  /** B is stored [N, K] (read transposed) instead of [K, N]. */
  transB?: boolean;
  M: number;
  N: number;
  K: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  /** C += A·B instead of C = A·B */
  accumulate?: boolean;
  bias?: number;
  epilogue?: number;
  relu?: boolean;
  /** 0: choose, 1: packed, 2: unpacked small-matrix path (tests compare them). */
  path?: number;
  /** Thread count override (default: the pool, or 1 below the cut-off). */
  threads?: number;
}

/**
 * Below this many multiply-adds a GEMM runs on one thread. Measured with
 * `node bench/threads.mjs --only-cutoffs` (2-core EPYC, machine shared): a
 * split call costs ~0.4 µs more when the worker is spinning and ~1-3 µs more
 * when it sleeps (futex wake) or is off its core; 1T takes ~3 µs at 32³, ~10 µs
 * at 48³, ~21 µs at 64³, and an M split of n³ gives the caller up to 60% of the
 * rows below 64. From ~51³ (2^17) a split saves ~40% when the worker is ready
 * and costs at most ~30% when it is not.
 */
export const GEMM_PARALLEL_MIN_MACS = 1 << 17;

/** C (+)= op(A)·op(B) on wasm memory addresses, split over the pool. */
export function gemm(g: GemmCall): void {
  const be = backend('gemm');
  const threads = g.threads ?? (g.M * g.N * g.K < GEMM_PARALLEL_MIN_MACS ? 1 : undefined);
  kernels.gemm({
    transA: g.transA ? 1 : 0, transB: g.transB ? 1 : 0, M: g.M, N: g.N, K: g.K, a: g.a, lda: g.lda, b: g.b, ldb: g.ldb,
    accumulate: g.accumulate ? 1 : 0, c: g.c, ldc: g.ldc, bias: g.bias ?? 0, epi: g.epilogue ?? EPI_NONE, relu: g.relu ? 1 : 0,
    scratch: be.gemmScratch, path: g.path ?? 0,
  }, threads);
}
