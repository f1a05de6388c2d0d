import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';

// torchvision 0.14's parameter counts and state_dict (name, shape) lists: scripts/fixtures/zoo.py.
type Fixture = { params: number; stateDict: [string, number[]][]; leafCalls: [string, string, number[]][] };
const tv: Record<string, Fixture> = JSON.parse(readFileSync(new URL('../fixtures/zoo/names.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const maxAbs = (v: Float32Array) => v.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
const count = (m: Module) => m.parameters().reduce((s, p) => s + p.size, 0);

const builders: Record<string, () => Module> = {
  alexnet: () => sn.models.alexnet({ seed: 1 }),
  vgg11: () => sn.models.vgg11({ seed: 1 }),
  vgg13: () => sn.models.vgg13({ seed: 1 }),
  vgg16: () => sn.models.vgg16({ seed: 1 }),
  vgg19: () => sn.models.vgg19({ seed: 1 }),
  vgg11_bn: () => sn.models.vgg11({ batchNorm: true, seed: 1 }),
  vgg16_bn: () => sn.models.vgg16({ batchNorm: true, seed: 1 }),
  resnet18: () => sn.models.resnet18({ seed: 1 }),
  resnet34: () => sn.models.resnet34({ seed: 1 }),
  resnet50: () => sn.models.resnet50({ seed: 1 }),
  resnet101: () => sn.models.resnet101({ seed: 1 }),
  resnet152: () => sn.models.resnet152({ seed: 1 }),
  googlenet: () => sn.models.googlenet({ seed: 1 }),
};

describe('model zoo vs torchvision 0.14', () => {
  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: state_dict names, shapes and parameter count`, () => {
      const m = build();
      try {
        const ours = m.namedStates().map(([n, t]) => [n, t.shape]);
        expect(ours).toEqual(tv[name].stateDict);
        expect(count(m)).toBe(tv[name].params);
      } finally {
        m.dispose();
      }
    });
  }

  it('counts named in API.md', () => {
    expect(tv.alexnet.params).toBe(61_100_840);
    expect(tv.vgg16.params).toBe(138_357_544);
    expect(tv.googlenet.params).toBe(6_624_904);
    expect(tv.resnet50.params).toBe(25_557_032);
  });
});

describe('variants without a torchvision twin', () => {
  it('lenet5: 61,706 parameters named conv1.weight … fc3.bias', () => {
    const m = sn.models.lenet5();
    expect(count(m)).toBe(61_706);
    expect(m.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'conv1.weight:6,1,5,5', 'conv1.bias:6', 'conv2.weight:16,6,5,5', 'conv2.bias:16',
      'fc1.weight:120,400', 'fc1.bias:120', 'fc2.weight:84,120', 'fc2.bias:84', 'fc3.weight:10,84', 'fc3.bias:10',
    ]);
    expect(count(sn.models.lenet5({ numClasses: 3 }))).toBe(61_706 - 7 * 85);
  });

  it("alexnet 'original': the 2012 paper's two-group layout, 60,965,224 parameters", () => {
    const m = sn.models.alexnet({ variant: 'original', seed: 2 });
    try {
      expect(count(m)).toBe(60_965_224);
      const shapes = Object.fromEntries(m.namedParameters().map(([n, p]) => [n, p.shape]));
      expect(shapes['features.0.weight']).toEqual([96, 3, 11, 11]);
      expect(shapes['features.4.weight']).toEqual([256, 48, 5, 5]);
      expect(shapes['features.8.weight']).toEqual([384, 256, 3, 3]);
      expect(shapes['features.10.weight']).toEqual([384, 192, 3, 3]);
      expect(shapes['features.12.weight']).toEqual([256, 192, 3, 3]);
      expect(shapes['classifier.0.weight']).toEqual([4096, 9216]);
      expect(shapes['classifier.6.weight']).toEqual([1000, 4096]);
    } finally {
      m.dispose();
    }
  });

  it("googlenet 'original': Table 1 of the paper, torchvision's names where parts correspond", () => {
    const m = sn.models.googlenet({ variant: 'original', seed: 3 });
    const tvNames = new Set(tv.googlenet.stateDict.map(([n]) => n.replace('.bn.', '.conv.')));
    const names = m.namedParameters().map(([n]) => n);
    for (const n of names) expect(tvNames.has(n.replace(/\.conv\.bias$/, '.conv.weight')), n).toBe(true);
    // Weights (no biases) of inception 3a: 1x1 64, 3x3 reduce 96 → 128, 5x5 reduce 16 → 32 (5x5), pool proj 32.
    const weights = (prefix: string) => m.namedParameters().filter(([n]) => n.startsWith(prefix) && n.endsWith('weight')).reduce((s, [, p]) => s + p.size, 0);
    expect(weights('inception3a.')).toBe(192 * 64 + 192 * 96 + 96 * 9 * 128 + 192 * 16 + 16 * 25 * 32 + 192 * 32);
    expect(weights('inception3a.')).toBe(163_328);
    expect(weights('inception5b.')).toBe(1_442_816);
    expect(m.namedParameters().find(([n]) => n === 'inception3a.branch3.1.conv.weight')![1].shape).toEqual([32, 16, 5, 5]);
    expect(m.namedBuffers()).toEqual([]);
    m.dispose();
  });
});

describe('initialisation', () => {
  it('is seeded: the same seed gives the same weights, another seed others', () => {
    const a = sn.models.googlenet({ seed: 7 });
    const b = sn.models.googlenet({ seed: 7 });
    const c = sn.models.googlenet({ seed: 8 });
    const w = (m: Module, i: number) => m.parameters()[i].toFloat32Array();
    expect(w(a, 0)).toEqual(w(b, 0));
    expect(w(a, 115)).toEqual(w(b, 115));
    expect(w(a, 116)).toEqual(w(b, 116)); // fc.bias
    expect(w(a, 0)).not.toEqual(w(c, 0));
    for (const m of [a, b, c]) m.dispose();
  });

  it("follows torchvision's schemes (ResNet kaiming fan_out, VGG N(0, 0.01) linears, GoogLeNet truncated normal)", () => {
    const std = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    const r = sn.models.resnet18({ seed: 1 });
    const conv1 = r.namedParameters().find(([n]) => n === 'conv1.weight')![1].toFloat32Array();
    expect(std(conv1)).toBeCloseTo(Math.sqrt(2 / (64 * 49)), 3);
    const fc = r.namedParameters().find(([n]) => n === 'fc.weight')![1].toFloat32Array();
    expect(maxAbs(fc)).toBeLessThanOrEqual(1 / Math.sqrt(512));
    r.dispose();
    const g = sn.models.googlenet({ seed: 1 });
    const gw = g.namedParameters().find(([n]) => n === 'inception4a.branch2.1.conv.weight')![1].toFloat32Array();
    expect(std(gw)).toBeCloseTo(0.01, 3);
    g.dispose();
    const conv = new sn.nn.Conv2d(4, 8, 3, { seed: 3 });
    const bound = 1 / Math.sqrt(4 * 9);
    expect(maxAbs(conv.weight.toFloat32Array())).toBeLessThanOrEqual(bound);
    expect(maxAbs(conv.bias!.toFloat32Array())).toBeLessThanOrEqual(bound);
    expect(std(conv.weight.toFloat32Array())).toBeGreaterThan(bound / 2);
  });
});

describe('googlenet transformInput (for torchvision pretrained weights)', () => {
  it("feeds conv1 torchvision's x·(std/0.5) + (mean−0.5)/0.5 per channel", () => {
    const m = sn.models.googlenet({ transformInput: true, seed: 1 });
    const x = sn.randn([1, 3, 32, 32], { seed: 2 });
    let seen: Float32Array | null = null;
    m.namedModules().find(([n]) => n === 'conv1.conv')![1].registerForwardHook((_m, inputs) => {
      seen = (inputs[0] as { toFloat32Array(): Float32Array }).toFloat32Array();
    });
    sn.noGrad(() => m.eval().forward(x));
    const xv = x.toFloat32Array();
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const want = xv.map((v, i) => {
      const c = Math.floor(i / 1024);
      return Math.fround(Math.fround(v * Math.fround(std[c] / 0.5)) + Math.fround((mean[c] - 0.5) / 0.5));
    });
    expect(Array.from(seen!)).toEqual(Array.from(want));
    expect(m.namedStates().length).toBe(sn.models.googlenet({ seed: 1 }).namedStates().length); // no extra state
    m.dispose();
  });
});

describe('constructor checks', () => {
  it('rejects bad options naming the op', () => {
    expect(() => sn.models.resnet50({ numClasses: 0 })).toThrow(/resnet50: numClasses must be a positive integer/);
    expect(() => sn.models.alexnet({ variant: 'paper' as 'original' })).toThrow(/alexnet: variant must be/);
    expect(() => sn.models.vgg16({ bn: true } as object)).toThrow(/vgg16: unknown option 'bn'/);
    expect(() => new sn.nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow(/Conv2d: inChannels 3 and outChannels 8 must both be divisible by groups 2/);
    expect(() => new sn.nn.Conv2d(3, 8, 0)).toThrow(/Conv2d: kernelSize must be an integer ≥ 1/);
    expect(() => new sn.nn.Conv2d(3, 8, 3, { pad: 1 } as object)).toThrow(/unknown option 'pad'/);
    expect(() => new sn.nn.Dropout(1.5)).toThrow(/Dropout: p must be in \[0, 1\]/);
    expect(() => new sn.nn.BatchNorm2d(4, { eps: 0 })).toThrow(/BatchNorm2d: eps must be a positive/);
    expect(() => new sn.nn.Linear(0, 3)).toThrow(/Linear: inFeatures must be a positive integer, got 0/);
  });

  it('a model built inside tidy keeps its parameters', () => {
    const m = sn.tidy(() => sn.models.lenet5({ seed: 1 }));
    expect(m.parameters().every((p) => !p.isDisposed)).toBe(true);
    let n: Module | null = null;
    sn.tidy(() => {
      n = sn.models.lenet5({ seed: 1 });
    });
    expect(n!.parameters().every((p) => !p.isDisposed)).toBe(true);
  });
});
