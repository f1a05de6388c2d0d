// Run by gemm-relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (Node 20 has relaxed SIMD only behind that flag, and vitest 3 cannot give
// one test file its own V8 flags). Computes every case of the shared case list
// with the baseline and the relaxed build and prints them as JSON on stdout.
import * as sn from '../../src/index.js';
import { gemm } from '../../src/ops/gemm.js';
import { RELAXED_CASES, relaxedOperands } from './gemm-relaxed-cases.js';
import { printBothBuilds, toBase64 } from './relaxed-builds.js';

await printBothBuilds(() =>
  RELAXED_CASES.map((c, i) => {
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
  }));
