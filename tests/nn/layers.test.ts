import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const same = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join() && bitsEqual(a.toFloat32Array(), b.toFloat32Array());

describe('layer modules call their F op with their options', () => {
  const x = () => sn.randn([2, 4, 9, 9], { seed: 11 });

  it('Conv2d (stride, padding, dilation, groups, no bias)', () => {
    const c = new sn.nn.Conv2d(4, 6, [3, 2], { stride: 2, padding: [1, 0], dilation: 2, groups: 2, bias: false, seed: 1 });
    expect(c.weight.shape).toEqual([6, 2, 3, 2]);
    expect(c.bias).toBeNull();
    const input = x();
    expect(same(c.forward(input), sn.F.conv2d(input, c.weight, null, { stride: 2, padding: [1, 0], dilation: 2, groups: 2 }))).toBe(true);
  });

  it('pools', () => {
    const input = x();
    expect(same(new sn.nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }).forward(input),
      sn.F.maxPool2d(input, { kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true }))).toBe(true);
    expect(same(new sn.nn.AvgPool2d(2, { padding: 1, countIncludePad: false }).forward(input),
      sn.F.avgPool2d(input, { kernelSize: 2, stride: 2, padding: 1, countIncludePad: false }))).toBe(true);
    expect(same(new sn.nn.AdaptiveAvgPool2d([2, 3]).forward(input), sn.F.adaptiveAvgPool2d(input, [2, 3]))).toBe(true);
    expect(same(new sn.nn.AdaptiveMaxPool2d(4).forward(input), sn.F.adaptiveMaxPool2d(input, 4))).toBe(true);
    expect(new sn.nn.MaxPool2d(2).forward(input).shape).toEqual([2, 4, 4, 4]);
  });

  it('ReLU, Flatten, LocalResponseNorm, Linear', () => {
    const input = x();
    expect(same(new sn.nn.ReLU().forward(input), sn.F.relu(input))).toBe(true);
    expect(new sn.nn.Flatten(2).forward(input).shape).toEqual([2, 4, 81]);
    expect(same(new sn.nn.LocalResponseNorm(3, { alpha: 5e-4, k: 2 }).forward(input), sn.F.localResponseNorm(input, { size: 3, alpha: 5e-4, beta: 0.75, k: 2 }))).toBe(true);
    const l = new sn.nn.Linear(9, 5, { seed: 2 });
    expect(same(l.forward(input), sn.F.linear(input, l.weight, l.bias))).toBe(true);
  });

  it('BatchNorm2d: batch statistics and a counter in training, running statistics in eval', () => {
    const bn = new sn.nn.BatchNorm2d(4, { momentum: 0.2, eps: 1e-3 });
    expect(bn.namedStates().map(([n, t]) => `${n}:${t.shape}`)).toEqual(['weight:4', 'bias:4', 'running_mean:4', 'running_var:4', 'num_batches_tracked:']);
    const input = x();
    const rm = sn.zeros([4]);
    const rv = sn.ones([4]);
    const ref = sn.F.batchNorm(input, rm, rv, bn.weight, bn.bias, { training: true, momentum: 0.2, eps: 1e-3 });
    expect(same(bn.forward(input), ref)).toBe(true);
    expect(bitsEqual(bn.runningMean.toFloat32Array(), rm.toFloat32Array())).toBe(true);
    expect(bn.numBatchesTracked.item()).toBe(1);
    bn.eval();
    expect(same(bn.forward(input), sn.F.batchNorm(input, rm, rv, bn.weight, bn.bias, { training: false, eps: 1e-3 }))).toBe(true);
    expect(bn.numBatchesTracked.item()).toBe(1);
  });
});

describe('layer constructors reject bad hyper-parameters where they are written', () => {
  it('LocalResponseNorm: non-finite alpha, beta or k', () => {
    expect(() => new sn.nn.LocalResponseNorm(3, { alpha: NaN })).toThrow(/^LocalResponseNorm: alpha must be a finite number, got NaN/);
    expect(() => new sn.nn.LocalResponseNorm(3, { beta: Infinity })).toThrow(/^LocalResponseNorm: beta must be a finite number/);
    expect(() => new sn.nn.LocalResponseNorm(3, { k: '2' as never })).toThrow(/^LocalResponseNorm: k must be a finite number, got 2/);
  });

  it('Flatten takes a negative startDim like F.flatten and torch.nn.Flatten', () => {
    expect(new sn.nn.Flatten(-2).forward(sn.ones([2, 3, 4, 5])).shape).toEqual([2, 3, 20]);
    expect(() => new sn.nn.Flatten(1.5)).toThrow(/^Flatten: startDim must be an integer, got 1.5/);
    expect(() => new sn.nn.Flatten(-5).forward(sn.ones([2, 3, 4, 5]))).toThrow(/^flatten: startDim -5 is out of range for input \[2,3,4,5\]/);
  });
});
