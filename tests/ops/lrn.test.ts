// F.localResponseNorm: gradchecks, defaults, bad input. The kernels against float64
// (forward and backward), on threads and in the relaxed build: tests/kernels/lrn.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { bitsEqual, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('F.localResponseNorm', () => {
  const shape = [2, 6, 3, 7]; // 21 positions: vector blocks and a tail
  const data = randomArray(2 * 6 * 21, 8).map((v) => v * 3);
  for (const [size, alpha, beta, k] of [[5, 5e-4, 0.75, 2], [2, 0.3, 0.75, 1], [3, 1, 0.5, 0.5], [8, 0.2, 1.2, 1]]) {
    it(`size ${size} matches finite differences`, () => {
      const r = gradcheck((x) => sn.F.localResponseNorm(x, { size, alpha, beta, k }), [{ data: randomArray(2 * 5 * 2 * 3, size), shape: [2, 5, 2, 3] }], { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }

  it('uses the defaults alpha 1e-4, beta 0.75, k 1', () => {
    const x = sn.tensor(data, shape);
    const y = sn.F.localResponseNorm(x, { size: 3 });
    const explicit = sn.F.localResponseNorm(x, { size: 3, alpha: 1e-4, beta: 0.75, k: 1 });
    expect(bitsEqual(y.toFloat32Array(), explicit.toFloat32Array())).toBe(true);
  });

  it('rejects bad input', () => {
    const x = sn.zeros([1, 3, 2, 2]);
    expect(() => sn.F.localResponseNorm(sn.zeros([3, 2, 2]), { size: 3 })).toThrow(/localResponseNorm: input must be 4-D \[N,C,H,W\], got \[3,2,2\]/);
    expect(() => sn.F.localResponseNorm(x, { size: 0 })).toThrow(/localResponseNorm: size must be a positive integer, got 0/);
    expect(() => sn.F.localResponseNorm(x, undefined as never)).toThrow(/localResponseNorm: options with size are required/);
    expect(() => sn.F.localResponseNorm(x, { size: 3, alpha: Infinity })).toThrow(/alpha must be a finite number/);
    expect(() => sn.F.localResponseNorm(x, { size: 3, n: 5 } as never)).toThrow(/unknown option 'n'/);
  });
});
