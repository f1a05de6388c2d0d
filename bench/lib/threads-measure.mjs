// Measurements of the thread pool, shared by Node and the Chromium page. `sn`
// is the internal bundle (bench/threads.mjs builds it from src/): the public
// API plus `kernels` (named kernel calls) and the internal `gemm`, which the public API hides.

const now = () => performance.now();
export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

/**
 * Median µs of one empty parallel call (kernel debugEmpty on every share).
 * `roundTrip`: the caller's share waits until a worker has claimed the others,
 * so every call includes a worker noticing it (else the caller may run all).
 */
export function emptyCallMicros(sn, { batches = 31, calls = 2000, roundTrip = false } = {}) {
  const args = { claimAddr: roundTrip ? sn.CLAIM_ADDRESS : 0 };
  for (let i = 0; i < 5000; i++) sn.kernels.debugEmpty(args);
  const per = [];
  for (let b = 0; b < batches; b++) {
    const t0 = now();
    for (let i = 0; i < calls; i++) sn.kernels.debugEmpty(args);
    per.push(((now() - t0) * 1000) / calls);
  }
  return median(per);
}

/** ms of sn.matmul(a[M,K], b[K,N]) (output allocated and disposed each call): { median, best }. */
export function matmulMillis(sn, M, N, K, { minMs = 500, minReps = 5, maxReps = 200 } = {}) {
  const a = sn.randn([M, K], { seed: 1 });
  const b = sn.randn([K, N], { seed: 2 });
  for (let i = 0; i < 2; i++) sn.matmul(a, b).dispose(); // touch pages, warm caches
  const times = [];
  const start = now();
  while (times.length < maxReps && (times.length < minReps || now() - start < minMs)) {
    const t0 = now();
    const c = sn.matmul(a, b);
    times.push(now() - t0);
    c.dispose();
  }
  a.dispose();
  b.dispose();
  return { median: median(times), best: Math.min(...times) };
}

/**
 * µs of one call of `one` and of `pool`, timed in alternating batches long
 * enough for a coarse clock, so that both see the same load on a shared
 * machine: medians, the median of the per-pair ratios pool/one, and the
 * ratio of the best batches (many short batches: on a busy machine some run
 * with both threads on a core, which is what an idle machine gives).
 */
function pairedMicros(one, pool, { pairs = 101, minBatchMs = 0.3 } = {}) {
  let calls = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < calls; i++) one();
    if (now() - t0 >= minBatchMs) break;
    calls *= 2;
  }
  const batch = (fn) => {
    const t0 = now();
    for (let i = 0; i < calls; i++) fn();
    return ((now() - t0) * 1000) / calls;
  };
  // Untimed pool calls first: a worker that slept through the one-thread batch
  // is woken and spinning again when the timed batch starts (steady state).
  const wake = () => { const t0 = now(); while (now() - t0 < 0.2) pool(); };
  const a = [], b = [], ratio = [];
  for (let p = 0; p < pairs; p++) {
    const x = batch(one);
    wake();
    const y = batch(pool);
    a.push(x); b.push(y); ratio.push(y / x);
  }
  return { one: median(a), pool: median(b), ratio: median(ratio), bestRatio: Math.min(...b) / Math.min(...a) };
}

/**
 * The break-even sizes behind GEMM_PARALLEL_MIN_MACS and ELEMENTWISE_PARALLEL_MIN:
 * the same call forced onto 1 thread and onto the whole pool.
 */
export function cutoffRows(sn, poolThreads) {
  const gemmRows = [];
  for (const n of [12, 16, 24, 32, 40, 48, 64, 80, 96, 128]) {
    const A = sn.randn([n * n], { seed: 3 }), B = sn.randn([n * n], { seed: 4 }), C = sn.zeros([n * n]);
    const call = (threads) => () => sn.gemm({ M: n, N: n, K: n, a: A.ptr(), lda: n, b: B.ptr(), ldb: n, c: C.ptr(), ldc: n, threads });
    gemmRows.push({ size: `${n}³`, work: n * n * n, ...pairedMicros(call(1), call(poolThreads)) });
    [A, B, C].forEach((t) => t.dispose());
  }
  const eltRows = [];
  for (const p of [12, 13, 14, 15, 16, 17, 18, 19]) {
    const n = 1 << p;
    const a = sn.randn([n], { seed: 5 }), b = sn.randn([n], { seed: 6 }), out = sn.zeros([n]);
    const call = (threads) => () => sn.kernels.add({ a: a.ptr(), b: b.ptr(), out: out.ptr(), n }, threads);
    eltRows.push({ size: `2^${p}`, work: n, ...pairedMicros(call(1), call(poolThreads)) });
    [a, b, out].forEach((t) => t.dispose());
  }
  return { gemmRows, eltRows };
}
