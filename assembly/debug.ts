// Kernels that exist only to test and measure the thread pool.

// Traps (wasm `unreachable`) in share `trapTid` and does nothing elsewhere:
// tests check that a fault inside a worker reaches the caller as an error and
// leaves the pool usable. Share 0 always runs on the calling thread; when
// `claimAddr` is not 0 (the pool's claim counter) share 0 first waits until
// another thread has claimed share `trapTid` (the counter's low 16 bits), so
// that the trap certainly runs on a worker. With trapTid = -1 nothing traps.
export function debugTrapOnThread(trapTid: i32, claimAddr: usize, tid: i32, nthreads: i32): void {
  if (tid == 0 && claimAddr != 0 && trapTid > 0) {
    while ((atomic.load<i32>(claimAddr) & 0xffff) <= trapTid) {}
  }
  if (tid == trapTid) unreachable();
}

// Does nothing on every share: the benchmark of the pool's dispatch cost. With
// claimAddr = 0 the caller may run every share itself (what an empty call
// costs); with the claim counter's address, share 0 waits until every other
// share has been claimed, i.e. the call includes a round trip to a worker.
export function debugEmpty(claimAddr: usize, tid: i32, nthreads: i32): void {
  if (tid == 0 && claimAddr != 0 && nthreads > 1) {
    while ((atomic.load<i32>(claimAddr) & 0xffff) < nthreads) {}
  }
}
