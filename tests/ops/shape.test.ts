import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());
const F = sn.F;

describe('F.add', () => {
  it('adds equal shapes, and x + x gets gradient 2', () => {
    const a = sn.tensor([1, 2, 3], [3], { requiresGrad: true });
    const y = F.add(a, a);
    expect(Array.from(y.toFloat32Array())).toEqual([2, 4, 6]);
    y.backward(sn.tensor([1, 1, 1], [3]));
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([2, 2, 2]);
  });

  it('broadcasts a trailing operand ([C] with [N,C], [1] and [] with anything) and sums its gradient', () => {
    const x = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
    const b = sn.tensor([10, 20, 30], [3], { requiresGrad: true });
    const y = F.add(b, x);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.toFloat32Array())).toEqual([11, 22, 33, 14, 25, 36]);
    y.backward(sn.tensor([1, 2, 3, 4, 5, 6], [2, 3]));
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([5, 7, 9]);
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(F.add(x, sn.tensor([1], [])).toFloat32Array())).toEqual([2, 3, 4, 5, 6, 7]);
    expect(F.add(sn.zeros([3]), sn.zeros([1, 1, 3])).shape).toEqual([1, 1, 3]);
    expect(F.add(sn.zeros([2, 1, 4, 4]), sn.zeros([1, 4, 4])).shape).toEqual([2, 1, 4, 4]);
  });

  it('matches finite differences with broadcasting', () => {
    const r = gradcheck((a, b) => F.add(a, b), [
      { data: randomArray(2 * 3 * 7, 1), shape: [2, 3, 7] },
      { data: randomArray(7, 2), shape: [1, 7] },
    ]);
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });

  it('broadcasts as PyTorch (F.add is sn.add) and rejects shapes that do not broadcast', () => {
    expect(() => F.add(sn.zeros([2, 3]), sn.zeros([2, 4]))).toThrow(/add: shapes \[2,3\] and \[2,4\] cannot be broadcast together/);
    expect(F.add(sn.zeros([2, 3]), sn.zeros([2, 1])).shape).toEqual([2, 3]);
    expect(() => F.add(sn.zeros([2, 3]), sn.zeros([2]))).toThrow(/add: shapes \[2,3\] and \[2\] cannot be broadcast together/);
    expect(Array.from(F.add(sn.zeros([2]), 1).toFloat32Array())).toEqual([1, 1]);
    expect(() => F.add(sn.zeros([2]), 'x' as never)).toThrow(/add: other must be a Tensor or a number/);
  });
});

describe('F.concat', () => {
  it('joins along channels (dim 1) and splits the gradient back', () => {
    const a = sn.tensor([1, 2, 3, 4], [2, 1, 2], { requiresGrad: true });
    const b = sn.tensor([5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 2], { requiresGrad: true });
    const y = F.concat([a, b], 1);
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.toFloat32Array())).toEqual([1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
    y.backward(sn.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]));
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([1, 2, 7, 8]);
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([3, 4, 5, 6, 9, 10, 11, 12]);
  });

  for (const dim of [0, 2, -1]) {
    it(`matches finite differences along dim ${dim}`, () => {
      const sa = [2, 3, 4];
      const sb = [2, 3, 4];
      const d = dim < 0 ? dim + 3 : dim;
      sb[d] = 1;
      const r = gradcheck((a, b, c) => F.concat([a, b, c], dim), [
        { data: randomArray(24, 1), shape: sa },
        { data: randomArray(sb.reduce((x, y) => x * y), 2), shape: sb, requiresGrad: false },
        { data: randomArray(24, 3), shape: sa },
      ]);
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }

  it('rejects bad input', () => {
    expect(() => F.concat([], 0)).toThrow(/concat: tensors must be a non-empty array/);
    expect(() => F.concat([sn.zeros([2, 3]), sn.zeros([3, 3])], 1)).toThrow(/concat: tensors\[1\] \[3,3\] does not match tensors\[0\] \[2,3\] outside dim 1/);
    expect(() => F.concat([sn.zeros([2, 3]), sn.zeros([2, 3, 1])], 0)).toThrow(/concat: tensors\[1\]/);
    expect(() => F.concat([sn.zeros([2, 3])], 2)).toThrow(/concat: dim 2 is out of range/);
    expect(() => F.concat([sn.zeros([2]), 'x' as never], 0)).toThrow(/concat: tensors\[1\] must be a Tensor, got string/);
  });
});

describe('F.flatten', () => {
  it('collapses from startDim (default 1, negative allowed) and passes gradients', () => {
    const x = sn.randn([2, 3, 4, 5], { seed: 1, requiresGrad: true });
    expect(F.flatten(x).shape).toEqual([2, 60]);
    expect(F.flatten(x, 0).shape).toEqual([120]);
    expect(F.flatten(x, -2).shape).toEqual([2, 3, 20]);
    expect(F.flatten(x, 3).shape).toEqual([2, 3, 4, 5]);
    const y = F.flatten(x);
    y.backward(sn.ones([2, 60]));
    expect(Array.from(x.grad!.toFloat32Array()).every((v) => v === 1)).toBe(true);
    const r = gradcheck((t) => F.flatten(t, 2), [{ data: randomArray(24, 4), shape: [2, 3, 2, 2] }]);
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
    expect(() => F.flatten(x, 4)).toThrow(/flatten: startDim 4 is out of range for input \[2,3,4,5\]/);
  });
});
