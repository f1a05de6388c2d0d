// The same GEMMs, run wherever this module is imported: Node, a page, or a
// worker. Returns, per thread count, what the backend reports and a hash of
// every output byte, so that the runs can be compared bit for bit.
import * as sn from '../../dist/index.js';
import { fnv1a, initCollectingWarnings, randomArray } from './check-lib.mjs';

// Awkward sizes, all above the one-thread cut-off so that 2 threads do split.
const SHAPES = [[131, 67, 257], [7, 1031, 97], [401, 389, 523], [257, 2, 1500]];

export async function runGemmChecks(threadCounts = [1, 2]) {
  const runs = [];
  for (const threads of threadCounts) {
    const warnings = await initCollectingWarnings(threads);
    const info = sn.backendInfo();
    const hashes = SHAPES.map(([M, N, K], s) => sn.tidy(() => {
      const a = sn.tensor(randomArray(M * K, 2 * s + 1), [M, K]);
      const b = sn.tensor(randomArray(K * N, 2 * s + 2), [K, N]);
      return fnv1a(sn.matmul(a, b).toFloat32Array());
    }));
    sn.shutdown();
    runs.push({ threads, info: { threads: info.threads, sharedMemory: info.sharedMemory, simd: info.simd }, hashes, warnings });
  }
  return { crossOriginIsolated: globalThis.crossOriginIsolated ?? null, runs };
}
