import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('loss modules', () => {
  const x = () => sn.tensor(randomArray(12, 1).map((v) => v * 3), [3, 4]);
  const t = () => sn.tensor(randomArray(12, 2), [3, 4]);

  it('forward equals the F function with the same options', () => {
    const pairs: [any, () => sn.Tensor][] = [
      [new sn.nn.L1Loss({ reduction: 'sum' }), () => sn.F.l1Loss(x(), t(), { reduction: 'sum' })],
      [new sn.nn.MSELoss(), () => sn.F.mseLoss(x(), t())],
      [new sn.nn.SmoothL1Loss({ beta: 0.5, reduction: 'none' }), () => sn.F.smoothL1Loss(x(), t(), { beta: 0.5, reduction: 'none' })],
      [new sn.nn.HuberLoss({ delta: 2 }), () => sn.F.huberLoss(x(), t(), { delta: 2 })],
    ];
    for (const [m, f] of pairs) expect(m.forward(x(), t()).toFloat32Array()).toEqual(f().toFloat32Array());
    const ce = new sn.nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
    expect(ce.forward(x(), [0, 3, 1]).item()).toBe(sn.F.crossEntropy(x(), [0, 3, 1], { labelSmoothing: 0.1 }).item());
    expect(ce.parameters()).toEqual([]);
    expect(ce).toBeInstanceOf(sn.nn.Module);
    expect(ce.typeName).toBe('CrossEntropyLoss');
  });

  it('checks options at construction', () => {
    expect(() => new sn.nn.CrossEntropyLoss({ labelSmoothing: -0.1 })).toThrow(/CrossEntropyLoss: labelSmoothing/);
    expect(() => new sn.nn.MSELoss({ reduction: 'max' as any })).toThrow(sn.SimdnnError);
    expect(() => new sn.nn.HuberLoss({ delta: 0 })).toThrow(/HuberLoss: delta/);
    expect(() => new sn.nn.SmoothL1Loss({ beta: NaN })).toThrow(sn.SimdnnError);
    expect(() => new sn.nn.L1Loss({ size_average: true } as any)).toThrow(/unknown option/);
  });
});
