// Kernels that exist only to test and measure the thread pool.

// Traps (wasm `unreachable`) on thread `trapTid` and does nothing elsewhere:
// tests check that a fault inside a worker reaches the caller as an error and
// leaves the pool usable. With trapTid = -1 it is an empty parallel call.
export function debugTrapOnThread(trapTid: i32, tid: i32, nthreads: i32): void {
  if (tid == trapTid) unreachable();
}

// Does nothing on every thread: the benchmark of the pool's dispatch cost.
export function debugEmpty(tid: i32, nthreads: i32): void {}
