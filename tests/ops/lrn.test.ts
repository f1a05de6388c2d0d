import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { maxRelErr, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** float64 PyTorch-convention LRN: window ⌊size/2⌋ before, ⌊(size-1)/2⌋ after, alpha/size. */
function reference(x: Float32Array, [N, C, H, W]: number[], size: number, alpha: number, beta: number, k: number): Float64Array {
  const S = H * W;
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) {
    let sum = 0;
    for (let cc = c - Math.floor(size / 2); cc <= c + Math.floor((size - 1) / 2); cc++) {
      if (cc >= 0 && cc < C) sum += x[(n * C + cc) * S + s] ** 2;
    }
    const i = (n * C + c) * S + s;
    out[i] = x[i] / (k + (alpha / size) * sum) ** beta;
  }
  return out;
}

describe('F.localResponseNorm', () => {
  const shape = [2, 6, 3, 7]; // 21 positions: vector blocks and a tail
  const data = randomArray(2 * 6 * 21, 8).map((v) => v * 3);
  for (const [size, alpha, beta, k] of [[5, 5e-4, 0.75, 2], [2, 0.3, 0.75, 1], [3, 1, 0.5, 0.5], [8, 0.2, 1.2, 1]]) {
    it(`size ${size} alpha ${alpha} beta ${beta} k ${k} matches a float64 reference`, () => {
      const y = sn.F.localResponseNorm(sn.tensor(data, shape), { size, alpha, beta, k });
      expect(maxRelErr(y.toFloat32Array(), reference(data, shape, size, alpha, beta, k), 1e-6, 2e-6)).toBeLessThanOrEqual(1);
    });
    it(`size ${size} matches finite differences`, () => {
      const r = gradcheck((x) => sn.F.localResponseNorm(x, { size, alpha, beta, k }), [{ data: randomArray(2 * 5 * 2 * 3, size), shape: [2, 5, 2, 3] }], { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }

  it('uses the defaults alpha 1e-4, beta 0.75, k 1', () => {
    const x = sn.tensor(data, shape);
    const y = sn.F.localResponseNorm(x, { size: 3 });
    expect(maxRelErr(y.toFloat32Array(), reference(data, shape, 3, 1e-4, 0.75, 1), 1e-7, 1e-6)).toBeLessThanOrEqual(1);
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
