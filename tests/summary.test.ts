import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../src/index.js';
import type { Module } from '../src/nn/module.js';
import { bitsEqual } from './helpers.js';

type Fixture = { leafCalls: [string, string, number[]][] };
const tv: Record<string, Fixture> = JSON.parse(readFileSync(new URL('./fixtures/zoo/names.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** Our leaf calls restricted to the modules torchvision also has (it has no Flatten module, and GoogLeNet's ReLU is functional there). */
function compareWithTorchvision(model: Module, name: string): void {
  const s = sn.summary(model, [1, 3, 224, 224]);
  const theirs = tv[name].leafCalls;
  const known = new Set(theirs.map(([n]) => n));
  const ours = s.rows.filter((r) => known.has(r.name)).map((r) => [r.name, r.type, r.outputShape]);
  expect(ours).toEqual(theirs);
}

describe('sn.summary reproduces the lecture', () => {
  it('AlexNet (2012): conv1 on 227x227x3 gives 55x55x96 with 34,944 parameters (34,848 weights)', () => {
    const m = sn.models.alexnet({ variant: 'original', seed: 1 });
    const s = sn.summary(m, [1, 3, 227, 227]);
    expect(s.rows[0]).toEqual({ name: 'features.0', type: 'Conv2d', outputShape: [1, 96, 55, 55], params: 34_944, weights: 34_848, activations: 55 * 55 * 96, macs: 55 * 55 * 96 * 363 });
    const pool1 = s.rows.find((r) => r.name === 'features.3')!;
    expect(pool1.outputShape).toEqual([1, 96, 27, 27]);
    expect(pool1.params).toBe(0);
    // conv2 is split over two groups (the two GPUs): each filter sees 48 channels.
    expect(s.rows.find((r) => r.name === 'features.4')!.macs).toBe(27 * 27 * 256 * 48 * 25);
    expect(s.rows.find((r) => r.name === 'features.14')!.outputShape).toEqual([1, 256, 6, 6]);
    expect(s.totals.params).toBe(60_965_224);
    m.dispose();
  });

  it("VGG-16: the per-layer memory and parameter table, 138M weights, 15.2M activations per image", () => {
    const m = sn.models.vgg16({ seed: 1 });
    const s = sn.summary(m, [1, 3, 224, 224]);
    // [output HxWxC, weights] for every CONV/POOL/FC line of the lecture's table
    const lecture: [string, number][] = [
      ['224x224x64', 1_728], ['224x224x64', 36_864], ['112x112x64', 0],
      ['112x112x128', 73_728], ['112x112x128', 147_456], ['56x56x128', 0],
      ['56x56x256', 294_912], ['56x56x256', 589_824], ['56x56x256', 589_824], ['28x28x256', 0],
      ['28x28x512', 1_179_648], ['28x28x512', 2_359_296], ['28x28x512', 2_359_296], ['14x14x512', 0],
      ['14x14x512', 2_359_296], ['14x14x512', 2_359_296], ['14x14x512', 2_359_296], ['7x7x512', 0],
      ['4096', 102_760_448], ['4096', 16_777_216], ['1000', 4_096_000],
    ];
    const shown = s.rows.filter((r) => r.type === 'Conv2d' || r.type === 'MaxPool2d' || r.type === 'Linear');
    const hw = (sh: number[]) => (sh.length === 4 ? `${sh[2]}x${sh[3]}x${sh[1]}` : String(sh[1]));
    expect(shown.map((r) => [hw(r.outputShape), r.weights])).toEqual(lecture);
    // memory column: each CONV/POOL/FC output, e.g. 224*224*64 = 3.2M
    expect(shown.map((r) => r.activations)).toEqual(lecture.map(([o]) => o.split('x').reduce((p, d) => p * Number(d), 1)));
    expect(s.totals.weights).toBe(138_344_128);
    expect(s.totals.params).toBe(138_357_544);
    expect(s.totals.activations).toBe(15_237_608);
    expect(s.totals.macs).toBe(15_470_264_320);
    expect(s.toString()).toMatch(/features\.0\s+Conv2d\s+224x224x64\s+3,211,264\s+1,792\s+86,704,128/);
    expect(s.toString()).toMatch(/total\s+15,237,608\s+138,357,544\s+15,470,264,320/);
    compareWithTorchvision(m, 'vgg16');
    m.dispose();
  });

  it("GoogLeNet (paper, Table 1): per-inception weights and multiply-adds", () => {
    const m = sn.models.googlenet({ variant: 'original', seed: 1 });
    const s = sn.summary(m, [1, 3, 224, 224]);
    const blocks = Object.fromEntries(s.byBlock().map((b) => [b.name, b]));
    expect(blocks.inception3a).toMatchObject({ type: 'Inception', outputShape: [1, 256, 28, 28], weights: 163_328, macs: 163_328 * 28 * 28 });
    expect(blocks.inception5b).toMatchObject({ type: 'Inception', outputShape: [1, 1024, 7, 7], weights: 1_442_816, macs: 1_442_816 * 49 });
    expect((blocks.inception3a.macs / 1e6).toFixed(1)).toBe('128.0');
    expect((blocks.inception5b.macs / 1e6).toFixed(1)).toBe('70.7');
    // output sizes of Table 1
    const sizes = Object.fromEntries(Object.entries(blocks).map(([n, b]) => [n, b.outputShape.slice(1).join('x')]));
    expect(sizes).toMatchObject({
      conv1: '64x112x112', maxpool1: '64x56x56', conv3: '192x56x56', maxpool2: '192x28x28', inception3b: '480x28x28',
      maxpool3: '480x14x14', inception4a: '512x14x14', inception4d: '528x14x14', inception4e: '832x14x14',
      maxpool4: '832x7x7', inception5a: '832x7x7', avgpool: '1024x1x1', fc: '1000',
    });
    // the paper's "3x3 reduce + 3x3" stage: 112K weights, 360M ops
    const stage2 = s.aggregate((n) => (n.startsWith('conv2') || n.startsWith('conv3') ? 'conv2+3' : null))[0];
    expect(stage2.weights).toBe(64 * 64 + 64 * 9 * 192);
    expect(Math.round(stage2.macs / 1e6)).toBe(360);
    m.dispose();
  });
});

describe('sn.summary output shapes equal torchvision', () => {
  it('alexnet', () => compareWithTorchvision(sn.models.alexnet({ seed: 1 }), 'alexnet'));
  it('resnet50', () => compareWithTorchvision(sn.models.resnet50({ seed: 1 }), 'resnet50'));
  it('googlenet', () => compareWithTorchvision(sn.models.googlenet({ seed: 1 }), 'googlenet'));
});

describe('sn.summary mechanics', () => {
  it('leaves training flags and running statistics as they were, and frees its temporaries', () => {
    const m = sn.models.resnet18({ seed: 1 });
    m.train();
    m.layer1.eval();
    const before = m.stateDict();
    sn.summary(m, [2, 3, 64, 64]);
    const mem = sn.backendInfo().memoryBytes;
    const s = sn.summary(m, [2, 3, 64, 64]);
    expect(sn.backendInfo().memoryBytes).toBe(mem); // a second run reuses the first one's freed memory
    expect(m.training).toBe(true);
    expect(m.layer1.training).toBe(false);
    expect(m.layer2.training).toBe(true);
    for (const [k, v] of Object.entries(m.stateDict())) expect(bitsEqual(v.toFloat32Array(), before[k].toFloat32Array()), k).toBe(true);
    expect(s.rows[0].outputShape).toEqual([2, 64, 32, 32]);
    expect(s.rows[0].macs).toBe(2 * 64 * 32 * 32 * 3 * 49); // the whole batch
    expect(s.totals.activations).toBe(s.rows.reduce((a, r) => a + r.activations, 2 * 3 * 64 * 64));
    // the relu module runs twice per block and is listed per call, its (zero) parameters once
    expect(s.rows.filter((r) => r.name === 'layer1.0.relu').length).toBe(2);
    m.dispose();
  });

  it('byBlock(2) groups per residual block; aggregate takes any grouping', () => {
    const m = sn.models.resnet18({ seed: 1 });
    const s = sn.summary(m, [1, 3, 64, 64]);
    const b = s.byBlock(2).find((r) => r.name === 'layer2.0')!;
    expect(b.type).toBe('BasicBlock');
    expect(b.outputShape).toEqual([1, 128, 8, 8]);
    expect(b.params).toBe(m.layer2.at(0).parameters().reduce((a, p) => a + p.size, 0));
    const all = s.aggregate(() => 'all')[0];
    expect(all.macs).toBe(s.totals.macs);
    expect(all.params).toBe(s.totals.params);
    m.dispose();
  });

  it('rejects bad arguments', () => {
    const m = sn.models.lenet5({ seed: 1 });
    expect(() => sn.summary(m, [1, 32, 32])).toThrow(sn.SimdnnError);
    // a shape without the batch: the error names summary and the shape, then the layer's complaint
    expect(() => sn.summary(m, [1, 32, 32])).toThrow(/^summary: inputShape \[1,32,32\] \(it includes the batch: \[1, C, H, W\]\): conv2d: /);
    expect(() => sn.summary(m, [1, 3, 32, 32])).toThrow(/^summary: inputShape \[1,3,32,32\]: conv2d: weight \[6,1,5,5\] expects 1 input channels/);
    expect(sn.summary(m, [1, 1, 32, 32]).rows.length).toBe(12); // the failed call left no hooks behind
    expect(() => sn.summary(m, [1, 1, 0, 32])).toThrow(/summary: inputShape must list positive sizes/);
    expect(() => sn.summary({} as Module, [1])).toThrow(/summary: model must be an nn.Module/);
    const s = sn.summary(m, [4, 1, 32, 32]);
    expect(s.rows.map((r) => r.name)).toEqual(['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flatten', 'fc1', 'relu3', 'fc2', 'relu4', 'fc3']);
    expect(s.rows[5].outputShape).toEqual([4, 16, 5, 5]);
    expect(s.totals.params).toBe(61_706);
  });
});
