import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { maxRelErr, randomArray } from '../helpers.js';
import { softmaxReference } from '../kernels/softmax-cases.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** float64 reference: softmax or logSoftmax of x (shape) along dim. */
function reference(x: Float32Array, shape: number[], dim: number, log: boolean): Float64Array {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return softmaxReference(x, size(shape.slice(0, dim)), shape[dim], size(shape.slice(dim + 1)), log);
}

describe('F.softmax / F.logSoftmax', () => {
  const shape = [2, 3, 9, 5];
  const data = randomArray(2 * 3 * 9 * 5, 3).map((v) => v * 6);
  for (const dim of [0, 1, 2, 3, -1, -3]) {
    for (const log of [false, true]) {
      const name = log ? 'logSoftmax' : 'softmax';
      it(`${name} dim ${dim} matches a float64 reference`, () => {
        const f = log ? sn.F.logSoftmax : sn.F.softmax;
        const y = f(sn.tensor(data, shape), dim);
        const d = dim < 0 ? dim + shape.length : dim;
        expect(maxRelErr(y.toFloat32Array(), reference(data, shape, d, log), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      });
    }
  }

  it('is stable at logits of ±1000', () => {
    const x = sn.tensor([1000, -1000, 999, 0, -1000, -1000, -999, -1001], [2, 4]);
    const p = sn.F.softmax(x, 1).toFloat32Array();
    const lp = sn.F.logSoftmax(x, -1).toFloat32Array();
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
    expect(Array.from(lp).every(Number.isFinite)).toBe(true);
    const e1 = Math.exp(-1);
    expect(maxRelErr(p, [1 / (1 + e1), 0, e1 / (1 + e1), 0, 0.25 * 0 + Math.exp(-1) / (2 * Math.exp(-1) + 1 + Math.exp(-2)), Math.exp(-1) / (2 * Math.exp(-1) + 1 + Math.exp(-2)), 1 / (2 * Math.exp(-1) + 1 + Math.exp(-2)), Math.exp(-2) / (2 * Math.exp(-1) + 1 + Math.exp(-2))], 1e-7, 1e-6)).toBeLessThanOrEqual(1);
    expect(lp[1]).toBeCloseTo(-2000 - Math.log1p(e1), 3);
    expect(lp[0]).toBeCloseTo(-Math.log1p(e1), 6);
  });

  it('works on a 1-D and a 0-d tensor', () => {
    expect(Array.from(sn.F.softmax(sn.tensor([0, 0], [2]), 0).toFloat32Array())).toEqual([0.5, 0.5]);
    expect(sn.F.softmax(sn.tensor([3], []), -1).item()).toBe(1);
  });

  for (const dim of [0, 1, -1]) {
    for (const log of [false, true]) {
      it(`${log ? 'logSoftmax' : 'softmax'} dim ${dim} matches finite differences`, () => {
        const f = log ? sn.F.logSoftmax : sn.F.softmax;
        const r = gradcheck((x) => f(x, dim), [{ data: randomArray(3 * 4 * 6, 5 + dim), shape: [3, 4, 6] }], { eps: 1e-3 });
        expect(r.worst, r.where).toBeLessThanOrEqual(1);
      });
    }
  }

  it('rejects bad dims', () => {
    const x = sn.zeros([2, 3]);
    expect(() => sn.F.softmax(x, 2)).toThrow(/softmax: dim 2 is out of range for input \[2,3\] \(expected in \[-2, 1\]\)/);
    expect(() => sn.F.logSoftmax(x, -3)).toThrow(/logSoftmax: dim -3 is out of range/);
    expect(() => sn.F.softmax(x, 0.5)).toThrow(/softmax: dim must be an integer, got 0.5/);
    expect(() => (sn.F.softmax as (x: unknown) => unknown)(x)).toThrow(/softmax: dim must be an integer, got undefined/);
    expect(() => sn.F.softmax(null as never, 0)).toThrow(/softmax: input must be a Tensor, got null/);
  });
});
