// sn.manualSeed, sn.nn.utils clipping, sn.nn.init, and the wave-2 layers/containers.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { nn } from '../../src/index.js';
import { maxRelErr, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const fx = JSON.parse(readFileSync(new URL('../fixtures/losses_w2.json', import.meta.url), 'utf8'));

describe('manualSeed', () => {
  it('makes unseeded draws, dropout and model init repeat', () => {
    const run = () => {
      sn.manualSeed(42);
      const a = sn.randn([5]).toFloat32Array();
      const lin = new nn.Linear(3, 2);
      const d = new nn.Dropout(0.5).forward(sn.ones([8])).toFloat32Array();
      return [a, lin.weight.toFloat32Array(), d];
    };
    expect(run()).toEqual(run());
    sn.manualSeed(43);
    expect(sn.randn([5]).toFloat32Array()).not.toEqual(run()[0]);
    expect(() => sn.manualSeed(1.5)).toThrow(/manualSeed: seed must be an integer/);
  });
});

describe('clipGradNorm_ / clipGradValue_ vs torch', () => {
  for (const c of fx.clip) {
    it(`normType ${c.normType}`, () => {
      const a = sn.zeros([3, 4], { requiresGrad: true });
      const b = sn.zeros([5], { requiresGrad: true });
      const noGrad = sn.zeros([2], { requiresGrad: true });
      a.grad = sn.tensor(Float32Array.from(c.g1), [3, 4]);
      b.grad = sn.tensor(Float32Array.from(c.g2), [5]);
      const total = sn.nn.utils.clipGradNorm_([a, noGrad, b], c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
      expect(Math.abs(total - c.total)).toBeLessThan(1e-5 * c.total);
      expect(maxRelErr(a.grad!.toFloat32Array(), c.c1, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      expect(maxRelErr(b.grad!.toFloat32Array(), c.c2, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    });
  }
  it('leaves small gradients alone, clamps values, rejects bad input writing nothing', () => {
    const p = sn.zeros([3], { requiresGrad: true });
    p.grad = sn.tensor([0.1, -0.2, 0.3], [3]);
    expect(sn.nn.utils.clipGradNorm_(p, 10)).toBeCloseTo(Math.sqrt(0.14), 6);
    expect(p.grad!.toArray()).toEqual(sn.tensor([0.1, -0.2, 0.3], [3]).toArray());
    sn.nn.utils.clipGradValue_([p], 0.15);
    expect(p.grad!.toFloat32Array()).toEqual(Float32Array.from([0.1, -0.15, 0.15]));
    expect(() => sn.nn.utils.clipGradNorm_([p, 3 as never], 1)).toThrow(/clipGradNorm_: params\[1\] is not a Tensor/);
    expect(() => sn.nn.utils.clipGradNorm_([p], -1)).toThrow(sn.SimdnnError);
    expect(() => sn.nn.utils.clipGradValue_([p], NaN)).toThrow(sn.SimdnnError);
    expect(p.grad!.toFloat32Array()).toEqual(Float32Array.from([0.1, -0.15, 0.15]));
    expect(sn.nn.utils.clipGradNorm_([], 1)).toBe(0);
  });
});

describe('nn.init', () => {
  const { init } = sn.nn;
  it('gains and fans as torch.nn.init', () => {
    for (const [nl, g] of Object.entries(fx.init.gains)) expect(init.calculateGain(nl as never)).toBeCloseTo(g as number, 12);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(fx.init.leaky0, 12);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(fx.init.leaky02, 12);
    for (const f of fx.init.fans) expect(Object.values(init.calculateFanInAndFanOut(sn.zeros(f.shape)))).toEqual(f.fans);
    expect(() => init.calculateFanInAndFanOut(sn.zeros([3]))).toThrow(sn.SimdnnError);
  });
  const stats = (t: sn.Tensor) => {
    const v = t.toFloat32Array();
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    let lo = Infinity, hi = -Infinity;
    for (const x of v) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
    return { mean, std, lo, hi };
  };
  it('distributions have the bounds and spreads of torch', () => {
    const w = () => sn.zeros([256, 128, 3, 3]); // fan_in 1152, fan_out 2304
    const s1 = stats(init.xavierUniform_(w(), 2));
    const b1 = 2 * Math.sqrt(6 / (1152 + 2304));
    expect(s1.hi).toBeLessThanOrEqual(b1);
    expect(s1.lo).toBeGreaterThanOrEqual(-b1);
    expect(s1.std).toBeCloseTo(b1 / Math.sqrt(3), 3);
    expect(stats(init.xavierNormal_(w())).std / Math.sqrt(2 / 3456)).toBeCloseTo(1, 2);
    expect(stats(init.kaimingNormal_(w(), { mode: 'fan_out', nonlinearity: 'relu' })).std / Math.sqrt(2 / 2304)).toBeCloseTo(1, 2);
    const s2 = stats(init.kaimingUniform_(w(), { a: Math.sqrt(5) })); // PyTorch's default conv init: U(±1/√fan_in)
    expect(s2.hi).toBeLessThanOrEqual(1 / Math.sqrt(1152));
    expect(s2.std * Math.sqrt(3) * Math.sqrt(1152)).toBeCloseTo(1, 2);
    const s3 = stats(init.truncNormal_(w(), 0, 1, -0.5, 0.7));
    expect(s3.lo).toBeGreaterThanOrEqual(-0.5);
    expect(s3.hi).toBeLessThanOrEqual(0.7);
    const s4 = stats(init.normal_(w(), 3, 0.5));
    expect(s4.mean).toBeCloseTo(3, 2);
    expect(s4.std).toBeCloseTo(0.5, 2);
    const s5 = stats(init.uniform_(w(), -2, -1));
    expect(s5.lo).toBeGreaterThanOrEqual(-2);
    expect(s5.hi).toBeLessThan(-1);
    expect([...init.ones_(sn.zeros([2])).toFloat32Array(), ...init.zeros_(sn.ones([1])).toFloat32Array(), ...init.constant_(sn.zeros([1]), 7).toFloat32Array()]).toEqual([1, 1, 0, 7]);
    expect(init.normal_(sn.zeros([4]), 0, 1, { seed: 3 }).toFloat32Array()).toEqual(init.normal_(sn.zeros([4]), 0, 1, { seed: 3 }).toFloat32Array());
  });
  it('bad input is a SimdnnError, nothing written', () => {
    const t = sn.zeros([4, 3]);
    expect(() => init.kaimingUniform_(t, { mode: 'fanIn' as never })).toThrow(/kaimingUniform_: mode/);
    expect(() => init.kaimingNormal_(t, { nonlinearity: 'swish' as never })).toThrow(/calculateGain: unsupported nonlinearity/);
    expect(() => init.xavierUniform_(sn.zeros([4]))).toThrow(sn.SimdnnError);
    expect(() => init.uniform_(t, 1, 0)).toThrow(/uniform_/);
    expect(() => init.constant_(sn.zeros([2], { dtype: 'int32' }), 1)).toThrow(/constant_/);
    expect(() => init.normal_(t, 0, 1, { sed: 1 } as never)).toThrow(/normal_: unknown option/);
    expect(t.toFloat32Array().every((v) => v === 0)).toBe(true);
  });
});

describe('wave-2 layers and containers', () => {
  it('activations equal their F forms; Softmax needs a dim', () => {
    const x = sn.tensor(randomArray(6, 4), [2, 3]);
    const same = (m: nn.Module, y: sn.Tensor) => expect(m.forward(x).toFloat32Array()).toEqual(y.toFloat32Array());
    same(new nn.LeakyReLU(0.1), sn.F.leakyRelu(x, 0.1));
    same(new nn.GELU(), sn.F.gelu(x));
    same(new nn.Tanh(), sn.F.tanh(x));
    same(new nn.Sigmoid(), sn.F.sigmoid(x));
    same(new nn.Softmax(1), sn.F.softmax(x, 1));
    same(new nn.LogSoftmax(-1), sn.F.logSoftmax(x, -1));
    expect(new nn.Identity().forward(x)).toBe(x);
    expect(() => new nn.Softmax(undefined as never)).toThrow(/Softmax: dim must be an integer/);
    expect(() => new nn.LeakyReLU(NaN)).toThrow(sn.SimdnnError);
  });
  it('ModuleList and ModuleDict register their modules by index and key', () => {
    class Net extends nn.Module {
      blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
      heads = new nn.ModuleDict({ a: new nn.Linear(2, 1) });
      forward(x: sn.Tensor) {
        for (const b of this.blocks) x = (b as nn.Linear).forward(x);
        return this.heads.get('a').forward(x);
      }
    }
    const net = new Net();
    net.blocks.append(new nn.ReLU());
    net.heads.set('b', new nn.Linear(2, 3));
    net.heads.set('a', new nn.Linear(2, 4)); // replaced in place
    expect(net.namedParameters().map(([n, t]) => `${n}:${t.shape}`)).toEqual(
      ['blocks.0.weight:2,2', 'blocks.0.bias:2', 'blocks.1.weight:2,2', 'blocks.1.bias:2', 'heads.a.weight:4,2', 'heads.a.bias:4', 'heads.b.weight:3,2', 'heads.b.bias:3']);
    expect(net.blocks.length).toBe(3);
    expect(net.blocks.at(-1)).toBeInstanceOf(nn.ReLU);
    expect(net.heads.keys()).toEqual(['a', 'b']);
    expect(net.forward(sn.ones([1, 2])).shape).toEqual([1, 4]);
    expect(() => net.blocks.at(3)).toThrow(/ModuleList: index 3/);
    expect(() => net.heads.get('z')).toThrow(/ModuleDict: no module 'z'/);
    expect(() => new nn.ModuleList([1 as never])).toThrow(/element 0 is not a Module/);
    expect(() => net.blocks.forward()).toThrow(sn.SimdnnError);
  });
  it('BatchNorm1d: batch statistics in training, running ones in eval, torchvision keys', () => {
    const bn = new nn.BatchNorm1d(3);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    const x = sn.tensor(Float32Array.from([1, 2, 3, 3, 6, 9]), [2, 3]);
    const y = bn.forward(x).toFloat32Array();
    expect(Array.from(y).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -1, -1, 1, 1, 1]);
    expect(Array.from(bn.runningMean.toFloat32Array())).toEqual([0.2, 0.4, 0.6].map(Math.fround));
    bn.eval();
    expect(bn.forward(sn.zeros([4, 3, 5])).shape).toEqual([4, 3, 5]);
    expect(() => bn.forward(sn.zeros([1, 3, 2, 2]))).toThrow(/BatchNorm1d: expected input \[N, C\] or \[N, C, L\]/);
  });
});
