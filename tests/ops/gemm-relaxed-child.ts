// Run by gemm-relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (Node 20 has relaxed SIMD only behind that flag, and vitest 3 cannot give
// one test file its own V8 flags). Computes every case of the shared case list
// with the baseline and the relaxed build and prints them as JSON on stdout.
import * as sn from '../../src/index.js';
import { gemm } from '../../src/ops/gemm.js';
import { RELAXED_CASES, relaxedOperands } from './gemm-relaxed-cases.js';

function toBase64(f: Float32Array): string {
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

async function runAll(simd: 'baseline' | 'relaxed') {
  await sn.init({ threads: 1, simd });
  const reported = sn.backendInfo().simd;
  const outputs = RELAXED_CASES.map((c, i) => {
    const { a, b, c0 } = relaxedOperands(c, i);
    const A = sn.tensor(a, [a.length]);
    const B = sn.tensor(b, [b.length]);
    const C = sn.tensor(c0, [c0.length]);
    gemm({
      transA: c.tA, transB: c.tB, M: c.M, N: c.N, K: c.K,
      a: A.ptr(), lda: c.tA ? c.M : c.K, b: B.ptr(), ldb: c.tB ? c.K : c.N, c: C.ptr(), ldc: c.N, accumulate: c.acc,
    });
    const out = toBase64(C.toFloat32Array());
    [A, B, C].forEach((t) => t.dispose());
    return out;
  });
  sn.shutdown();
  return { simd: reported, outputs };
}

const baseline = await runAll('baseline');
const relaxed = await runAll('relaxed');
process.stdout.write(JSON.stringify({ baseline, relaxed }) + '\n');
