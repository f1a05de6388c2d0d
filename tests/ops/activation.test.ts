import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

// Inputs kept away from relu's kink so central differences are valid.
function awayFromZero(n: number, seed: number): Float32Array {
  return randomArray(n, seed).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v) * 3);
}

describe('F.relu / F.tanh / F.sigmoid', () => {
  it('relu forward, and gradient 0 at exactly 0', () => {
    const x = sn.tensor([-2, -0, 0, 0.5, 3], [5], { requiresGrad: true });
    const y = sn.F.relu(x);
    expect(Array.from(y.toFloat32Array())).toEqual([0, 0, 0, 0.5, 3]);
    y.backward(sn.tensor([1, 1, 1, 1, 1], [5]));
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([0, 0, 0, 1, 1]);
  });

  it('tanh and sigmoid saturate without NaN', () => {
    const x = sn.tensor([-1000, -50, 0, 50, 1000], [5]);
    expect(Array.from(sn.F.tanh(x).toFloat32Array())).toEqual([-1, -1, 0, 1, 1]);
    expect(Array.from(sn.F.sigmoid(x).toFloat32Array())).toEqual([0, Math.fround(1 / (1 + Math.exp(50))), 0.5, 1, 1]);
  });

  for (const [name, f] of [['relu', sn.F.relu], ['tanh', sn.F.tanh], ['sigmoid', sn.F.sigmoid]] as const) {
    it(`${name} matches finite differences (odd size: vector loop + tail)`, () => {
      const r = gradcheck((x) => f(x), [{ data: awayFromZero(2 * 3 * 5 + 3, 11), shape: [33] }], { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
    it(`${name} keeps shape, rejects non-tensors and released tensors`, () => {
      const x = sn.randn([2, 3, 4], { seed: 1 });
      expect(f(x).shape).toEqual([2, 3, 4]);
      expect(() => f([1, 2] as never)).toThrow(new RegExp(`${name}: input must be a Tensor, got an array`));
      x.dispose();
      expect(() => f(x)).toThrow(sn.SimdnnError);
      expect(() => f(x)).toThrow(new RegExp(`${name}: .*disposed`));
    });
  }
});
