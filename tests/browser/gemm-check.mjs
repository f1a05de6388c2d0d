// The same GEMMs, run wherever this module is imported: Node, a page, or a
// worker. Returns, per thread count, what the backend reports and a hash of
// every output byte, so that the runs can be compared bit for bit.
import * as sn from '../../dist/index.js';

// Awkward sizes, all above the one-thread cut-off so that 2 threads do split.
const SHAPES = [[131, 67, 257], [7, 1031, 97], [401, 389, 523], [257, 2, 1500]];

function randomArray(n, seed) {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = (x / 4294967296) * 2 - 1;
  }
  return out;
}

/** FNV-1a over the bytes, as 8 hex digits. */
function fnv1a(f32) {
  const u8 = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < u8.length; i++) h = Math.imul(h ^ u8[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export async function runGemmChecks(threadCounts = [1, 2]) {
  const runs = [];
  for (const threads of threadCounts) {
    const warnings = [];
    const warn = console.warn;
    console.warn = (...a) => warnings.push(a.join(' '));
    try {
      await sn.init({ threads });
    } finally {
      console.warn = warn;
    }
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
