// dtypes: float32 (default, differentiable), int32, bool (1 byte); conversions
// as PyTorch's .float()/.int()/.bool(); float-only ops reject the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('dtype', () => {
  it('infers the dtype from the data, or takes it from opts', () => {
    expect(sn.tensor([1, 2]).dtype).toBe('float32');
    expect(sn.tensor(new Float32Array(2)).dtype).toBe('float32');
    expect(sn.tensor(Int32Array.from([1, -2])).dtype).toBe('int32');
    expect(sn.tensor([true, false]).dtype).toBe('bool');
    const t = sn.tensor([1.7, -1.7, 0, 3], [2, 2], { dtype: 'int32' });
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.toInt32Array())).toEqual([1, -1, 0, 3]);
    expect(t.toArray()).toEqual([[1, -1], [0, 3]]);
    const b = sn.tensor([0, 2, -0.5, NaN], [4], { dtype: 'bool' });
    expect(b.toArray()).toEqual([false, true, true, true]);
    expect(b.storage.bytes).toBe(4); // one byte per element
    expect(sn.zeros([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(sn.full([2], true).toArray()).toEqual([true, true]);
  });

  it('converts as PyTorch: int() truncates toward zero, bool() is nonzero, float() of float is itself', () => {
    const x = sn.tensor([2.9, -2.9, 0.5, -0.5, 0, -0, Infinity, NaN]);
    expect(x.float()).toBe(x);
    expect(Array.from(x.int().toInt32Array()).slice(0, 6)).toEqual([2, -2, 0, 0, 0, 0]);
    expect(x.bool().toArray()).toEqual([true, true, true, true, false, false, true, true]);
    const i = sn.tensor(Int32Array.from([3, 0, -4]));
    expect(i.int()).toBe(i);
    expect(Array.from(i.float().toFloat32Array())).toEqual([3, 0, -4]);
    expect(i.float().dtype).toBe('float32');
    expect(Array.from(i.bool().toInt32Array())).toEqual([1, 0, 1]);
    expect(Array.from(i.bool().toFloat32Array())).toEqual([1, 0, 1]);
    expect(i.toFloat32Array()).toBeInstanceOf(Float32Array);
    expect(sn.tensor([true]).item()).toBe(1);
    expect(sn.tensor(Int32Array.from([7]), []).item()).toBe(7);
  });

  it('keeps the dtype through views and copies', () => {
    const i = sn.tensor(Int32Array.from([1, 2, 3, 4]));
    expect(i.reshape([2, 2]).dtype).toBe('int32');
    expect(i.reshape([2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(i.detach().dtype).toBe('int32');
    expect(i.clone().toArray()).toEqual([1, 2, 3, 4]);
    expect(sn.tensor([true, false, true]).clone().toArray()).toEqual([true, false, true]);
  });

  it('only float32 is differentiable', () => {
    expect(() => sn.tensor(Int32Array.from([1]), [1], { requiresGrad: true })).toThrow(sn.SimdnnError);
    const i = sn.tensor(Int32Array.from([1]));
    expect(() => { i.requiresGrad = true; }).toThrow(/only float32 tensors can require gradients, got int32/);
    expect(() => sn.zeros([2], { dtype: 'bool', requiresGrad: true })).toThrow(sn.SimdnnError);
    expect(() => sn.tensor([1], [1], { dtype: 'float64' as never })).toThrow(/dtype must be one of/);
    expect(() => sn.tensor([1, true] as never)).toThrow(sn.SimdnnError);
  });

  it('toInt32Array refuses float32 (no silent truncation)', () => {
    expect(() => sn.tensor([1.5]).toInt32Array()).toThrow(/toInt32Array: needs an int32 or bool tensor, got float32 tensor \[1\]/);
  });

  it('float-only ops reject int32 and bool inputs with the op, argument and shape', () => {
    const i = sn.tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = sn.tensor([1, 0, 1, 0, 1, 0], [2, 3], { dtype: 'bool' });
    const f = sn.ones([2, 3]);
    expect(() => sn.F.relu(i)).toThrow('relu: input must be float32, got int32 tensor [2,3]');
    expect(() => sn.F.sigmoid(b)).toThrow('sigmoid: input must be float32, got bool tensor [2,3]');
    expect(() => sn.F.softmax(i, 1)).toThrow(/softmax: input must be float32/);
    expect(() => sn.F.linear(f, i)).toThrow('linear: weight must be float32, got int32 tensor [2,3]');
    expect(() => sn.matmul(f, i.reshape([3, 2]))).toThrow(/matmul: b must be float32/);
    expect(() => sn.F.mseLoss(f, i)).toThrow(/mseLoss: target must be float32/);
    expect(() => sn.F.dropout(i, { p: 0.5 })).toThrow(/dropout: input must be float32/);
    const img = sn.tensor(new Int32Array(16), [1, 1, 4, 4]);
    expect(() => sn.F.maxPool2d(img, { kernelSize: 2 })).toThrow(/maxPool2d: input must be float32/);
    expect(() => sn.F.conv2d(img, sn.ones([1, 1, 3, 3]))).toThrow(/conv2d: input must be float32/);
    expect(() => sn.F.batchNorm(img, null, null, null, null, { training: true })).toThrow(/batchNorm: input must be float32/);
    expect(() => sn.F.crossEntropy(i, [0, 1])).toThrow(/crossEntropy: input must be float32/);
  });

  it('crossEntropy takes int32 label tensors as it takes Int32Array', () => {
    const logits = sn.tensor([1, 2, 3, 0.5, -1, 2], [2, 3]);
    const a = sn.F.crossEntropy(logits, Int32Array.from([2, 0])).item();
    const b = sn.F.crossEntropy(logits, sn.tensor(Int32Array.from([2, 0]))).item();
    expect(b).toBe(a);
    expect(() => sn.F.crossEntropy(logits, sn.tensor(Int32Array.from([2, 0, 1]), [1, 3]))).toThrow(/class-index target must be 1-D/);
    expect(() => sn.F.crossEntropy(logits, sn.tensor(Int32Array.from([2, 5])))).toThrow(/target\[1\] = 5/);
  });
});
