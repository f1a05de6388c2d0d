// sn.matmul's contract; the GEMM kernel under it is tested by tests/kernels/gemm.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('matmul (public API)', () => {
  it('multiplies [M,K]·[K,N]', () => {
    const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = sn.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
    const c = sn.matmul(a, b);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.toFloat32Array())).toEqual([58, 64, 139, 154]);
  });

  it('rejects bad input with SimdnnError naming the shapes', () => {
    const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = sn.tensor([1, 2, 3, 4], [2, 2]);
    expect(() => sn.matmul(a, b)).toThrow(sn.SimdnnError);
    expect(() => sn.matmul(a, b)).toThrow(/inner dimensions differ: a \[2,3\] vs b \[2,2\]/);
    expect(() => sn.matmul(sn.tensor([1, 2, 3], [3]), b)).toThrow(/inner dimensions differ: a \[3\] vs b \[2,2\]/);
    expect(() => sn.matmul(a, sn.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]))).toThrow(/inner dimensions differ: a \[2,3\] vs b \[2,2,2\]/);
    expect(() => sn.matmul(sn.tensor([1], []), b)).toThrow(/both operands must have at least one dim/);
    expect(() => sn.matmul(new Int32Array([1, 2]) as never, b)).toThrow(/a must be a Tensor, got Int32Array/);
    expect(() => sn.matmul([[1]] as never, b)).toThrow(sn.SimdnnError);
  });

  it('gradients: dA = g·Bᵀ, dB = Aᵀ·g', () => {
    const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
    const b = sn.tensor([7, 8, 9, 10, 11, 12], [3, 2], { requiresGrad: true });
    const c = sn.matmul(a, b);
    c.backward(sn.tensor([1, 0, 0, 1], [2, 2]));
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([7, 9, 11, 8, 10, 12]);
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
