// The packed GEMM conv tester: conv-packed-cases.ts run by the kernel-family
// tester (tests/kernels/tester.ts): against a float64 conv + epilogue, the same
// bits on 1, 2, 3 and 5 threads, and the relaxed build. The bits against the
// unfused path (conv then affinePlanesInPlace) are conv-packed-forward.test.ts's.
import { describe, expect, it } from 'vitest';
import { testKernelFamily } from '../kernels/tester.js';
import { caseIsTransposed, PACKED_CASES, PACKED_CONV_FAMILY } from './conv-packed-cases.js';

describe('packed GEMM conv cases', () => {
  it('cover both orientations: the first five transposed (planes of <= 64 pixels), the others W·B', () => {
    expect(PACKED_CASES.map(caseIsTransposed)).toEqual([true, true, true, true, true, false, false, false, false, false]);
  });
});

testKernelFamily(PACKED_CONV_FAMILY);
