import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor.js';
import { maxRelErr } from '../helpers.js';

// Weights, input and PyTorch 1.13's output per block, from scripts/fixtures/zoo.py.
function fixture(name: string): { sd: Record<string, Tensor>; input: Tensor; output: Tensor; after: Record<string, Tensor> } {
  const all = sn.io.loadSafetensors(new Uint8Array(readFileSync(new URL(`../fixtures/zoo/${name}.safetensors`, import.meta.url))));
  const pick = (prefix: string) => Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  return { sd: pick('model.'), input: all.input, output: all.output, after: pick('after.') };
}

/** Within 1e-4 relative to the output's scale. */
function expectClose(ours: Tensor, ref: Tensor): void {
  expect(ours.shape).toEqual(ref.shape);
  const r = ref.toFloat32Array();
  const scale = r.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  expect(maxRelErr(ours.toFloat32Array(), r, 1e-4 * scale, 1e-4)).toBeLessThanOrEqual(1);
}

function check(name: string, model: Module, train = false): void {
  const f = fixture(name);
  model.loadStateDict(f.sd);
  model.train(train);
  const y = sn.noGrad(() => model.forward(f.input));
  expectClose(y, f.output);
  for (const [k, v] of Object.entries(f.after)) expectClose(model.namedStates().find(([n]) => n === k)![1], v);
}

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('forward passes equal PyTorch with the same weights', () => {
  it('LeNet-5 (float16-stored weights)', () => check('lenet5', sn.models.lenet5()));
  it('ResNet BasicBlock with a stride-2 downsample (eval)', () => check('basicblock', new sn.nn.BasicBlock(16, 32, 2)));
  it('ResNet BasicBlock in training mode: output and updated running statistics', () => check('basicblock_train', new sn.nn.BasicBlock(8, 8), true));
  it('ResNet Bottleneck with a stride-2 downsample', () => check('bottleneck', new sn.nn.Bottleneck(32, 8, 2)));
  it("torchvision's Inception module", () => check('inception', new sn.models.Inception(16, 8, 8, 12, 4, 6, 6, 'torchvision')));
  it("the paper's Inception module (5x5 branch, biases, no batch norm)", () => check('inception_original', new sn.models.Inception(16, 8, 8, 12, 4, 6, 6, 'original')));
  it("VGG's conv stack (conv3x3-BN-ReLU, max pools) on a 16x16 input", () => check('vggstack', sn.models.vggFeatures([8, 'M', 16, 16, 'M'], true)));

  it('backward runs through a whole block and reaches every parameter', () => {
    const m = new sn.nn.Bottleneck(32, 8, 2);
    const f = fixture('bottleneck');
    m.loadStateDict(f.sd);
    const y = m.forward(f.input);
    y.backward(sn.ones(y.shape));
    for (const [n, p] of m.namedParameters()) expect(p.grad, n).not.toBeNull();
  });

  it("BasicConv2d defaults to torchvision's conv-BN-ReLU; options are checked", () => {
    const m = new sn.nn.BasicConv2d(3, 8, 3);
    expect(m.namedStates().map(([n]) => n)).toEqual(['conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(m.forward(sn.zeros([1, 3, 5, 5])).shape).toEqual([1, 8, 3, 3]);
    expect(new sn.nn.BasicConv2d(3, 8, 3, { batchNorm: false, padding: 1 }).namedParameters().map(([n]) => n)).toEqual(['conv.weight', 'conv.bias']);
    expect(() => new sn.nn.BasicConv2d(3, 8, 3, { kernelSize: 3 } as never)).toThrow(/^BasicConv2d: unknown option 'kernelSize'/);
  });

  it('Dropout is seeded and off in eval mode', () => {
    const x = sn.ones([1, 1000]);
    const a = new sn.nn.Dropout(0.5, { seed: 3 });
    const b = new sn.nn.Dropout(0.5, { seed: 3 });
    const ya = a.forward(x).toFloat32Array();
    expect(b.forward(x).toFloat32Array()).toEqual(ya);
    const zeros = ya.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
    expect(a.forward(x).toFloat32Array()).not.toEqual(ya); // the next mask differs
    a.eval();
    expect(a.forward(x)).toBe(x);
  });
});
