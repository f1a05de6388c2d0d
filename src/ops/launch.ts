import { backend, parallel } from '../runtime/backend.js';

/**
 * Work below this many floats runs on the calling thread: waking the pool
 * costs more than it saves (see the threads issue for the measured cut-off).
 */
export const ELEMENTWISE_PARALLEL_MIN = 1 << 16;

/** Runs an element-wise kernel `name(...args, tid, nthreads)` over `n` elements. */
export function launchElementwise(name: string, args: number[], n: number): void {
  parallel(name, args, n < ELEMENTWISE_PARALLEL_MIN ? 1 : undefined);
}

/** Runs `name` on the calling thread only (kernels that are not split). */
export function launchSerial(name: string, args: number[]): void {
  parallel(name, args, 1);
}

export { backend };
