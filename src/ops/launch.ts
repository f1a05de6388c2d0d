/**
 * Work below this many floats runs on the calling thread: waking the pool
 * costs more than it saves. Measured with `node bench/threads.mjs
 * --only-cutoffs` (2-core EPYC): `add` takes ~2.2 µs at 2^14 and ~8.6 µs at
 * 2^16 on one thread; split over 2 threads it ran 0.62x at 2^14 and 0.53x at
 * 2^16 with the worker spinning, and ~1-3 µs slower than one thread when the
 * worker slept or had lost its core. At 2^16 the loss in that case stays
 * under ~30%.
 */
export const ELEMENTWISE_PARALLEL_MIN = 1 << 16;

/** Threads for an element-wise kernel over `n` elements: the caller alone below the cut-off, else the pool. */
export function elementwiseThreads(n: number): number | undefined {
  return n < ELEMENTWISE_PARALLEL_MIN ? 1 : undefined;
}
