import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor.js';
import { maxRelErr } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** Non-trivial running statistics and affine parameters, so folding has something to fold. */
function randomizeBatchNorms(m: Module, seed: number): void {
  let s = seed;
  for (const bn of m.modules()) {
    if (!(bn instanceof sn.nn.BatchNorm2d)) continue;
    bn.runningMean.view().set(sn.randn([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v * 0.3));
    bn.runningVar.view().set(sn.rand([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v + 0.5));
    bn.weight!.view().set(sn.rand([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v + 0.5));
    bn.bias!.view().set(sn.randn([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v * 0.2));
  }
}

function expectClose(a: Tensor, b: Tensor): void {
  const r = b.toFloat32Array();
  const scale = r.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  expect(maxRelErr(a.toFloat32Array(), r, 1e-4 * scale, 1e-4)).toBeLessThanOrEqual(1);
}

describe('nn.foldBatchNorm', () => {
  for (const [name, build, count] of [
    ['resnet18', () => sn.models.resnet18({ seed: 1 }), 20],
    ['googlenet', () => sn.models.googlenet({ seed: 1 }), 57],
    ['a VGG stack with batch norm', () => sn.models.vggFeatures([16, 'M', 32, 32, 'M'], true), 3],
  ] as const) {
    it(`${name}: every conv+BN pair folds and eval outputs stay the same`, () => {
      const m = build();
      randomizeBatchNorms(m, 5);
      m.eval();
      const x = sn.randn([1, 3, 64, 64], { seed: 9 });
      const before = sn.keep(sn.noGrad(() => m.forward(x) as sn.Tensor)); // read after another sn.noGrad boundary (docs/memory.md)
      const memoryBefore = sn.summary(m, [1, 3, 64, 64]).totals.activations;
      expect(sn.nn.foldBatchNorm(m, [1, 3, 64, 64])).toBe(count);
      const bnOutputs = sn.summary(m, [1, 3, 64, 64]).rows.filter((r) => r.type === 'BatchNorm2d').reduce((a, r) => a + r.outputShape.reduce((p, d) => p * d, 1), 0);
      expect(sn.summary(m, [1, 3, 64, 64]).totals.activations).toBe(memoryBefore - bnOutputs); // folded BNs store nothing
      expectClose(sn.noGrad(() => (m.forward(x) as sn.Tensor)), before);
      expect(sn.nn.foldBatchNorm(m, [1, 3, 64, 64])).toBe(0); // nothing left to fold
      m.train();
      expect(() => m.forward(x)).toThrow(/folded into its convolution/);
      m.dispose();
    });
  }

  it('gives a bias-free conv a bias (a new stateDict key) and matches the PyTorch block', () => {
    const all = sn.io.loadSafetensors(new Uint8Array(readFileSync(new URL('../fixtures/zoo/bottleneck.safetensors', import.meta.url))));
    const sd = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('model.')).map(([k, v]) => [k.slice(6), v]));
    const block = new sn.nn.Bottleneck(32, 8, 2);
    block.loadStateDict(sd);
    block.eval();
    expect(sn.nn.foldBatchNorm(block, [1, 32, 8, 8])).toBe(4);
    expect(block.namedParameters().map(([n]) => n)).toContain('conv1.bias');
    expectClose(sn.noGrad(() => block.forward(all.input)), all.output);
  });
});
