// The GEMM tester (gemm-cases.ts: its table), and what only GEMM promises:
// the packed and the unpacked path give the same bits, and any split of C
// (here 7 parts, run one after another) gives the bits of one part.
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { bitsEqual, randomArray } from '../helpers.js';
import { GEMM_FAMILY, GEMM_ROWS, runGemmRow } from './gemm-cases.js';
import { initThreads, testKernelFamily } from './tester.js';

testKernelFamily(GEMM_FAMILY);

describe('gemm paths and splits', () => {
  it('the packed and the unpacked path give the same bits', async () => {
    await initThreads(1);
    const rows = GEMM_ROWS.filter((r) => r.path === 2);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const [packed, small] = sn.tidy(() => [runGemmRow(r, 99, 1), runGemmRow(r, 99, 2)]);
      expect(bitsEqual(packed, small), `${r.M}x${r.N}x${r.K} tA=${r.tA} tB=${r.tB} acc=${r.acc}`).toBe(true);
    }
  });

  it('7 parts of C, run in turn, give the bits of one', async () => {
    await initThreads(1);
    const be = backend();
    // 130x40: split along M; 11x300: few rows, split along N; K crosses a KC block.
    for (const [M, N, K, tA, tB] of [[130, 40, 450, false, false], [11, 300, 37, true, true]] as const) {
      const parts = (n: number) => sn.tidy(() => {
        const [A, B, C] = [randomArray(M * K, 5), randomArray(K * N, 6), randomArray(M * N, 7)].map((d) => sn.tensor(d, [d.length]));
        const scratch = be.heap.alloc(n * be.kernels.gemmScratchFloats() * 4);
        for (let tid = 0; tid < n; tid++) {
          be.kernels.gemm(+tA, +tB, M, N, K, A.ptr(), tA ? M : K, B.ptr(), tB ? K : N, 1, C.ptr(), N, 0, 0, 0, scratch, 1, tid, n);
        }
        be.heap.release(scratch);
        return C.toFloat32Array();
      });
      expect(bitsEqual(parts(7), parts(1)), `${M}x${N}x${K}`).toBe(true);
    }
  });
});
