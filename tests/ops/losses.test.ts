import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { maxRelErr, randomArray } from '../helpers.js';

// PyTorch 1.13 values and gradients: scripts/fixtures/losses_optim.py
const fx = JSON.parse(readFileSync(new URL('../fixtures/losses.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

function call(c: any, x: sn.Tensor, t: sn.Tensor | number[]): sn.Tensor {
  const F = sn.F;
  const o = { reduction: c.reduction, ...c.opts };
  if (c.name.startsWith('ce_')) return F.crossEntropy(x, t, o);
  if (c.name.startsWith('smoothl1')) return F.smoothL1Loss(x, t as sn.Tensor, o);
  if (c.name.startsWith('huber')) return F.huberLoss(x, t as sn.Tensor, o);
  if (c.name === 'l1') return F.l1Loss(x, t as sn.Tensor, o);
  return F.mseLoss(x, t as sn.Tensor, o);
}

describe('losses against PyTorch (value and gradients)', () => {
  for (const c of fx) {
    it(`${c.name} reduction=${c.reduction}`, () => {
      const x = sn.tensor(c.input, c.inputShape, { requiresGrad: true });
      const t = c.classIndex ? c.target : sn.tensor(c.target, c.targetShape, { requiresGrad: c.gradTarget !== null });
      const out = call(c, x, t);
      expect(out.shape).toEqual(c.outShape);
      expect(maxRelErr(out.toFloat32Array(), c.out, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      out.backward(sn.tensor(c.probe, c.outShape));
      expect(maxRelErr(x.grad!.toFloat32Array(), c.gradInput, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      if (c.gradTarget) expect(maxRelErr((t as sn.Tensor).grad!.toFloat32Array(), c.gradTarget, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    });
  }
});

describe('loss gradients by finite differences', () => {
  const N = 3, C = 4;
  const logits = randomArray(N * C, 3).map((v) => v * 3);
  const probs = randomArray(N * C, 5).map((v) => Math.abs(v));
  it('crossEntropy with class indices and label smoothing', () => {
    const r = gradcheck((x) => sn.F.crossEntropy(x, [2, 0, 3], { reduction: 'none', labelSmoothing: 0.2 }), [{ data: logits, shape: [N, C] }], { eps: 1e-2 });
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });
  it('crossEntropy with probability targets, gradient to both', () => {
    const r = gradcheck((x, t) => sn.F.crossEntropy(x, t, { reduction: 'none', labelSmoothing: 0.1 }),
      [{ data: logits, shape: [N, C] }, { data: probs, shape: [N, C] }]);
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });
  for (const [name, f] of [
    ['mseLoss', (a: sn.Tensor, b: sn.Tensor) => sn.F.mseLoss(a, b, { reduction: 'none' })],
    ['smoothL1Loss', (a: sn.Tensor, b: sn.Tensor) => sn.F.smoothL1Loss(a, b, { reduction: 'none', beta: 0.7 })],
    ['huberLoss', (a: sn.Tensor, b: sn.Tensor) => sn.F.huberLoss(a, b, { reduction: 'none', delta: 0.6 })],
    ['l1Loss', (a: sn.Tensor, b: sn.Tensor) => sn.F.l1Loss(a, b, { reduction: 'none' })],
  ] as const) {
    it(`${name} (input and target)`, () => {
      // Differences kept away from the kinks (|d| = β, δ, 0) where the derivative jumps.
      const a = Float32Array.from([0.1, -0.3, 1.5, -2, 0.45, 3]);
      const b = Float32Array.from([0.5, 0.2, -0.1, -0.2, 0.0, 1]);
      const r = gradcheck(f, [{ data: a, shape: [2, 3] }, { data: b, shape: [2, 3] }], { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }
});

describe('loss properties', () => {
  it('huberLoss(δ) = δ·smoothL1Loss(β = δ)', () => {
    const a = sn.tensor(randomArray(64, 9).map((v) => v * 4), [64]);
    const b = sn.tensor(randomArray(64, 10), [64]);
    const h = sn.F.huberLoss(a, b, { delta: 1.7, reduction: 'none' }).toFloat32Array();
    const s = sn.F.smoothL1Loss(a, b, { beta: 1.7, reduction: 'none' }).toFloat32Array();
    expect(maxRelErr(h, s.map((v) => v * 1.7), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
  });

  it('a one-hot probability target equals the class-index loss', () => {
    const x = sn.tensor(randomArray(12, 4), [3, 4]);
    const oneHot = sn.tensor([0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [3, 4]);
    const a = sn.F.crossEntropy(x, oneHot, { labelSmoothing: 0.3 }).item();
    const b = sn.F.crossEntropy(x, new Int32Array([1, 3, 0]), { labelSmoothing: 0.3 }).item();
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
  });

  it('rejects bad input before computing anything', () => {
    const x = sn.zeros([2, 3]);
    const E = sn.SimdnnError;
    expect(() => sn.F.crossEntropy(x, [0, 3])).toThrow(/target\[1\] = 3/);
    expect(() => sn.F.crossEntropy(x, [0, 1.5])).toThrow(E);
    expect(() => sn.F.crossEntropy(x, [0])).toThrow(/1 class indices for input \[2,3\]/);
    expect(() => sn.F.crossEntropy(sn.zeros([6]), [0])).toThrow(/logits \[N, C\].*got \[6\]/);
    expect(() => sn.F.crossEntropy(x, sn.zeros([2, 4]))).toThrow(/\[2,4\] must match input \[2,3\]/);
    expect(() => sn.F.crossEntropy(x, [0, 1], { reduction: 'avg' as any })).toThrow(E);
    expect(() => sn.F.crossEntropy(x, [0, 1], { labelSmoothing: 1.5 })).toThrow(E);
    expect(() => sn.F.crossEntropy(x, [0, 1], { ignore_index: -100 } as any)).toThrow(/unknown option/);
    expect(() => sn.F.mseLoss(x, sn.zeros([3, 2]))).toThrow(/\[3,2\] must have the input's shape \[2,3\]/);
    expect(() => sn.F.huberLoss(x, x, { delta: 0 })).toThrow(E);
    expect(() => sn.F.smoothL1Loss(x, x, { beta: -1 })).toThrow(E);
    expect(() => sn.F.l1Loss(x, x, { beta: 1 } as any)).toThrow(/unknown option/);
  });

  it('mean and sum return 0-d tensors', () => {
    const x = sn.tensor([1, 2], [1, 2]);
    expect(sn.F.crossEntropy(x, [1]).shape).toEqual([]);
    expect(sn.F.mseLoss(x, x, { reduction: 'sum' }).shape).toEqual([]);
    expect(sn.F.l1Loss(x, x, { reduction: 'none' }).shape).toEqual([1, 2]);
  });
});
