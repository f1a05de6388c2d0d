// Losses of issue 12 against PyTorch 1.13 (tests/fixtures/losses_w2.json from scripts/fixtures/losses_w2.py).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { gradcheck } from '../gradcheck.js';
import { backend } from '../../src/runtime/backend.js';
import { maxRelErr, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

interface Enc { data: number[]; shape: number[]; int: boolean }
interface Case { name: string; opts: Record<string, unknown>; inputs: Record<string, Enc>; consts: Record<string, Enc>; out: number[]; outShape: number[]; probe: number[]; grads: Record<string, number[]> }
const fx = JSON.parse(readFileSync(new URL('../fixtures/losses_w2.json', import.meta.url), 'utf8')) as { cases: Case[] };

const dec = (e: Enc, requiresGrad = false): Tensor =>
  e.int ? sn.tensor(Int32Array.from(e.data), e.shape, { dtype: 'int32' }) : sn.tensor(Float32Array.from(e.data), e.shape, { requiresGrad });

/** The simdnn call for a fixture case; `intTargetAsArray` passes class indices as an Int32Array instead of an int32 tensor. */
function call(c: Case, x: Tensor, intTargetAsArray = false): Tensor {
  const k = c.consts;
  const t = k.t ? (k.t.int && intTargetAsArray ? Int32Array.from(k.t.data) : dec(k.t)) : null;
  const o = c.opts as Record<string, never>;
  const weight = k.weight ? dec(k.weight) : undefined;
  const kind = c.name.split('_')[0];
  switch (kind) {
    case 'ce2d': case 'ce4d':
      return sn.F.crossEntropy(x, t!, { reduction: o.reduction, labelSmoothing: o.labelSmoothing, weight, ...(o.ignoreIndex !== undefined ? { ignoreIndex: o.ignoreIndex } : {}) });
    case 'cesoft':
      return sn.F.crossEntropy(x, dec(k.p), { reduction: o.reduction, labelSmoothing: o.labelSmoothing, weight });
    case 'nll': case 'nll3d':
      return sn.F.nllLoss(x, t!, { reduction: o.reduction, weight, ...(o.ignoreIndex !== undefined ? { ignoreIndex: o.ignoreIndex } : {}) });
    case 'bce':
      return sn.F.binaryCrossEntropy(x, t as Tensor, { reduction: o.reduction, weight });
    case 'bcel':
      return sn.F.binaryCrossEntropyWithLogits(x, t as Tensor, { reduction: o.reduction, weight, posWeight: k.pos_weight ? dec(k.pos_weight) : undefined });
    case 'kl':
      return sn.F.klDiv(x, t as Tensor, { reduction: o.reduction, logTarget: o.logTarget });
    case 'gelu':
      return sn.F.gelu(x);
    case 'leaky':
      return sn.F.leakyRelu(x, o.negativeSlope);
    default:
      throw new Error(`unknown case ${c.name}`);
  }
}

describe('losses and activations vs PyTorch 1.13', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      for (const asArray of c.consts.t?.int ? [false, true] : [false]) {
        sn.tidy(() => {
          const x = dec(c.inputs.x, true);
          const out = call(c, x, asArray);
          expect(out.shape).toEqual(c.outShape);
          expect(maxRelErr(out.toFloat32Array(), c.out, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
          out.backward(sn.tensor(Float32Array.from(c.probe), c.outShape));
          expect(maxRelErr(x.grad!.toFloat32Array(), c.grads.x, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
          x.grad!.dispose();
        });
      }
    });
  }
});

describe('finite differences', () => {
  const W = () => sn.tensor([0.5, 2, 1], [3]);
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ['crossEntropy 4-D, weight, ignore, smoothing', (x) => sn.F.crossEntropy(x, [0, 2, 1, 1, 0, 2], { weight: W(), ignoreIndex: 1, labelSmoothing: 0.2 }), [2, 3, 3]],
    ['nllLoss weight', (x) => sn.F.nllLoss(x, [0, 2], { weight: W(), reduction: 'sum' }), [2, 3]],
    ['binaryCrossEntropyWithLogits posWeight', (x) => sn.F.binaryCrossEntropyWithLogits(x, sn.tensor([1, 0, 0.5, 1, 0, 1], [2, 3]), { posWeight: W() }), [2, 3]],
    ['klDiv batchmean', (x) => sn.F.klDiv(x, sn.tensor([0.2, 0.3, 0.5, 0, 0.5, 0.5], [2, 3]), { reduction: 'batchmean' }), [2, 3]],
    ['gelu', (x) => sn.F.gelu(x), [2, 3]],
  ];
  for (const [name, f, shape] of cases) {
    it(name, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const { worst, where } = gradcheck(f, [{ data: randomArray(n, 3).map((v) => v * 2), shape }]);
      expect(worst, where).toBeLessThanOrEqual(1);
    });
  }
  it('binaryCrossEntropy', () => {
    const { worst, where } = gradcheck((p) => sn.F.binaryCrossEntropy(p, sn.tensor([1, 0, 0.3, 1], [4]), { weight: sn.tensor([1, 2, 1, 0.5], [4]) }), [{ data: Float32Array.from([0.3, 0.6, 0.5, 0.8]), shape: [4] }], { eps: 1e-3 });
    expect(worst, where).toBeLessThanOrEqual(1);
  });
});

describe('bad input is a SimdnnError naming the op; nothing written', () => {
  const x = () => sn.tensor(randomArray(8, 1), [2, 4], { requiresGrad: true });
  it.each([
    ['crossEntropy target out of range', () => sn.F.crossEntropy(x(), [0, 4], { weight: sn.ones([4]) }), /crossEntropy: target\[1\] = 4/],
    ['crossEntropy weight shape', () => sn.F.crossEntropy(x(), [0, 1], { weight: sn.ones([3]) }), /crossEntropy: weight \[3\] must be \[4\]/],
    ['crossEntropy 3-D target shape', () => sn.F.crossEntropy(sn.zeros([2, 4, 3]), sn.zeros([2, 2], { dtype: 'int32' })), /crossEntropy: target \[2,2\] must have shape \[2,3\]/],
    ['crossEntropy float weight only', () => sn.F.crossEntropy(x(), [0, 1], { weight: sn.ones([4], { dtype: 'int32' }) }), /crossEntropy/],
    ['crossEntropy unknown option', () => sn.F.crossEntropy(x(), [0, 1], { ignore: 1 } as never), /crossEntropy: unknown option/],
    ['nllLoss ignoreIndex', () => sn.F.nllLoss(x(), [0, 1], { ignoreIndex: 0.5 }), /nllLoss: ignoreIndex/],
    ['binaryCrossEntropy out of [0, 1]', () => sn.F.binaryCrossEntropy(sn.tensor([0.5, 1.5], [2]), sn.tensor([1, 0], [2])), /binaryCrossEntropy: every input element/],
    ['binaryCrossEntropy target shape', () => sn.F.binaryCrossEntropy(sn.tensor([0.5, 0.5], [2]), sn.tensor([1], [1])), /binaryCrossEntropy: target \[1\]/],
    ['posWeight broadcast', () => sn.F.binaryCrossEntropyWithLogits(x(), sn.zeros([2, 4]), { posWeight: sn.ones([3]) }), /posWeight \[3\] does not broadcast/],
    ['klDiv reduction', () => sn.F.klDiv(x(), sn.zeros([2, 4]), { reduction: 'avg' as never }), /klDiv: reduction/],
    ['target gradient', () => sn.F.klDiv(x(), sn.zeros([2, 4], { requiresGrad: true })), /klDiv: gradients with respect to the target/],
  ])('%s', (_name, f, re) => {
    expect(f).toThrow(sn.SimdnnError);
    expect(f).toThrow(re);
  });
});

describe('module forms', () => {
  it('equal the F functions with the same options', () => {
    const x = sn.tensor(randomArray(8, 2), [2, 4]);
    const w = sn.tensor([1, 2, 0.5, 1], [4]);
    expect(new sn.nn.CrossEntropyLoss({ weight: w, ignoreIndex: 3 }).forward(x, [1, 3]).item()).toBe(sn.F.crossEntropy(x, [1, 3], { weight: w, ignoreIndex: 3 }).item());
    const lp = sn.F.logSoftmax(x, 1);
    expect(new sn.nn.NLLLoss({ reduction: 'sum' }).forward(lp, [0, 2]).item()).toBe(sn.F.nllLoss(lp, [0, 2], { reduction: 'sum' }).item());
    const p = sn.F.sigmoid(x);
    const t = sn.tensor([1, 0, 1, 0, 0, 0, 1, 1], [2, 4]);
    expect(new sn.nn.BCELoss().forward(p, t).item()).toBe(sn.F.binaryCrossEntropy(p, t).item());
    expect(new sn.nn.BCEWithLogitsLoss({ posWeight: w }).forward(x, t).item()).toBe(sn.F.binaryCrossEntropyWithLogits(x, t, { posWeight: w }).item());
    expect(new sn.nn.KLDivLoss({ reduction: 'batchmean' }).forward(lp, p).item()).toBe(sn.F.klDiv(lp, p, { reduction: 'batchmean' }).item());
    expect(() => new sn.nn.KLDivLoss({ reduction: 'x' as never })).toThrow(/KLDivLoss: reduction/);
    expect(new sn.nn.MSELoss()).toBeInstanceOf(sn.nn.Module);
  });
  it('every target ignored: mean is NaN as torch', () => {
    expect(sn.F.nllLoss(sn.zeros([2, 3]), [-100, -100]).item()).toBeNaN();
  });
});

describe('memory', () => {
  it('no-grad losses leave no heap bytes behind; a backward in tidy frees everything but the leaf gradient', () => {
    const x = sn.tensor(randomArray(24, 5), [2, 3, 4]);
    const w = sn.tensor([1, 2, 3], [3]);
    const t = sn.tensor([0.2, 0.9, 0.5, 0.1, 0.7, 0.3, 0.2, 0.9, 0.5, 0.1, 0.7, 0.3, 0.2, 0.9, 0.5, 0.1, 0.7, 0.3, 0.2, 0.9, 0.5, 0.1, 0.7, 0.3], [2, 3, 4]);
    const run = () => {
      sn.F.crossEntropy(x, [0, 1, 2, 0, 1, 2, 0, 1], { weight: w, ignoreIndex: 2 }).dispose();
      sn.F.nllLoss(x, [0, 1, 2, 0, 1, 2, 0, 1]).dispose();
      sn.F.binaryCrossEntropyWithLogits(x, t).dispose();
      sn.F.klDiv(x, t, { reduction: 'batchmean' }).dispose();
      sn.F.gelu(x).dispose();
    };
    const live = () => backend().heap.stats().liveBytes;
    const before = live();
    sn.noGrad(run);
    expect(live()).toBe(before);
    const xg = sn.tensor(randomArray(24, 5), [2, 3, 4], { requiresGrad: true });
    const afterLeaf = live();
    sn.tidy(() => {
      sn.F.crossEntropy(xg, [0, 1, 2, 0, 1, 2, 0, 1], { weight: w, ignoreIndex: 2, labelSmoothing: 0.1 }).backward();
      sn.F.binaryCrossEntropyWithLogits(xg, t, { posWeight: w.reshape([3, 1]) }).backward();
    });
    xg.grad!.dispose();
    expect(live()).toBe(afterLeaf);
  });
});
