// The conv2d tester: every case of conv-paths-cases.ts on every algorithm that
// applies to it (forced), run by the kernel-family tester (tests/kernels/tester.ts):
// against the float64 reference, the same bits on 1, 2, 3 and 5 threads, and the
// relaxed build. A new algorithm in src/ops/conv2d/algorithms.ts is picked up here by itself.
import { describe, expect, it } from 'vitest';
import { CONV_ALGORITHMS, type ConvPath } from '../../src/ops/conv2d/algorithms.js';
import { choosePath } from '../../src/ops/conv2d/choose-path.js';
import { initThreads, testKernelFamily } from '../kernels/tester.js';
import { caseGeometry, CONV_CASES, CONV_FAMILY, convRuns } from './conv-paths-cases.js';

describe('conv2d paths', () => {
  it('the chooser picks each case\'s path, and every algorithm has a case', async () => {
    await initThreads(1);
    for (const c of CONV_CASES) expect(choosePath(caseGeometry(c)), c.name).toBe(c.chosen);
    const covered = new Set(convRuns().map(([, p]) => p));
    for (const p of Object.keys(CONV_ALGORITHMS) as ConvPath[]) expect(covered.has(p), `no case exercises ${p}`).toBe(true);
  });
});

testKernelFamily(CONV_FAMILY);
