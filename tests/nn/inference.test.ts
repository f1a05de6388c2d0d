import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { backend } from '../../src/runtime/backend.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, maxRelErr, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const heap = () => backend().heap;

/** Bits of a no-grad forward and of the same forward with autograd on (which frees and overwrites nothing). */
function bothWays(m: Module, x: Tensor): { fast: Float32Array; plain: Float32Array } {
  const fast = sn.tidy(() => sn.noGrad(() => m.forward(x)).toFloat32Array());
  const plain = sn.tidy(() => m.forward(x).toFloat32Array());
  return { fast, plain };
}

/** Peak live bytes of `fn` above what was live before it. */
function peakOf(fn: () => void): number {
  const before = heap().stats().liveBytes;
  heap().resetPeak();
  fn();
  return heap().stats().peakBytes - before;
}

/** Non-trivial eval statistics and affine parameters. */
function randomizeBatchNorm(bn: InstanceType<typeof sn.nn.BatchNorm2d>, seed: number): void {
  const C = bn.numFeatures;
  bn.runningMean.view().set(randomArray(C, seed).map((v) => v * 0.3));
  bn.runningVar.view().set(randomArray(C, seed + 1).map((v) => v * 0.4 + 0.6));
  bn.weight!.view().set(randomArray(C, seed + 2).map((v) => v * 0.5 + 1));
  bn.bias!.view().set(randomArray(C, seed + 3).map((v) => v * 0.2));
}

describe('addReluInPlace kernel', () => {
  it('equals add then relu bit for bit, tails included', () => {
    for (const n of [1, 7, 16, 37, 1000]) {
      sn.tidy(() => {
        const a = sn.tensor(randomArray(n, 1), [n]);
        const b = sn.tensor(randomArray(n, 2), [n]);
        const ref = sn.F.relu(sn.F.add(a, b)).toFloat32Array();
        kernels.addReluInPlace({ dst: a.ptr(), src: b.ptr(), n }, 1);
        expect(bitsEqual(a.toFloat32Array(), ref)).toBe(true);
      });
    }
  });
});

describe('no-grad inference frees and reuses activations', () => {
  it('a Sequential gives the same bits, keeps its input and frees intermediates', () => {
    // 1x1 convs with many channels run without scratch buffers, so the peaks are activations only.
    const conv = (i: number, o: number, seed: number) => new sn.nn.Conv2d(i, o, 1, { seed });
    const m = new sn.nn.Sequential(
      conv(8, 96, 1), new sn.nn.ReLU(), conv(96, 96, 2), new sn.nn.ReLU(), conv(96, 96, 3), new sn.nn.ReLU(),
      new sn.nn.MaxPool2d(2), new sn.nn.Flatten(), new sn.nn.Linear(96 * 8 * 8, 10, { seed: 4 }), new sn.nn.ReLU(),
    );
    m.eval();
    const x = sn.randn([2, 8, 16, 16], { seed: 5 });
    const x0 = x.toFloat32Array();
    const { fast, plain } = bothWays(m, x);
    expect(bitsEqual(fast, plain)).toBe(true);
    expect(bitsEqual(x.toFloat32Array(), x0)).toBe(true);
    const act = 2 * 96 * 16 * 16 * 4; // one conv output, bytes
    const keepAll = peakOf(() => sn.tidy(() => { m.forward(x); }));
    const freed = peakOf(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); }));
    expect(keepAll).toBeGreaterThanOrEqual(6 * act); // three conv and three relu outputs
    expect(freed).toBeLessThanOrEqual(2 * act + act / 4 + 4096); // a conv's input and output (+ the pool's, the rest)
    x.dispose();
  });

  it('never overwrites a tensor a view shares: Flatten of the input, then ReLU', () => {
    const m = new sn.nn.Sequential(new sn.nn.Flatten(), new sn.nn.ReLU());
    const x = sn.randn([2, 3, 4, 4], { seed: 5 });
    const x0 = x.toFloat32Array();
    const y = sn.noGrad(() => m.forward(x));
    expect(bitsEqual(x.toFloat32Array(), x0)).toBe(true);
    expect(bitsEqual(y.toFloat32Array(), x0.map((v) => Math.max(v, 0)))).toBe(true);
  });

  it('an activation that a forward hook kept stays alive and unchanged', () => {
    const conv = new sn.nn.Conv2d(2, 4, 3, { seed: 6 });
    const m = new sn.nn.Sequential(conv, new sn.nn.ReLU(), new sn.nn.Conv2d(4, 4, 1, { seed: 7 }));
    let kept: Tensor | null = null;
    // A hook that keeps a tensor past the step keeps it with sn.keep (docs/memory.md).
    const h = conv.registerForwardHook((_m, _in, out) => { kept = sn.keep(out as Tensor); });
    const x = sn.randn([1, 2, 6, 6], { seed: 8 });
    sn.noGrad(() => m.forward(x));
    h.remove();
    const ref = sn.noGrad(() => conv.forward(x)).toFloat32Array();
    expect(kept!.isDisposed).toBe(false);
    expect(bitsEqual(kept!.toFloat32Array(), ref)).toBe(true); // not overwritten by the in-place ReLU
  });

  it("a user layer's output is never freed (it may keep it)", () => {
    class Keeper extends sn.nn.Module {
      last: Tensor | null = null;
      forward(x: Tensor): Tensor {
        // Kept past the outer forward: sn.keep (docs/memory.md); runLayers must still not dispose it.
        this.last = sn.keep(sn.F.relu(x));
        return this.last;
      }
    }
    const k = new Keeper();
    const m = new sn.nn.Sequential(new sn.nn.Linear(3, 3, { seed: 9 }), k, new sn.nn.ReLU(), new sn.nn.Linear(3, 2, { seed: 10 }));
    const x = sn.randn([2, 3], { seed: 11 });
    sn.noGrad(() => m.forward(x));
    expect(k.last!.isDisposed).toBe(false);
    expect(k.last!.toFloat32Array().every((v) => v >= 0)).toBe(true);
  });

  it('summary still sees every layer (ReLUs included) of a ResNet block', () => {
    const s = sn.summary(new sn.nn.Bottleneck(16, 4, 2), [1, 16, 8, 8]);
    expect(s.rows.filter((r) => r.type === 'ReLU').length).toBe(3);
  });

  for (const [name, make] of [
    ['Bottleneck with downsample', () => new sn.nn.Bottleneck(16, 4, 2)],
    ['Bottleneck, identity shortcut', () => new sn.nn.Bottleneck(16, 4, 1)],
    ['BasicBlock with downsample', () => new sn.nn.BasicBlock(8, 16, 2)],
    ['BasicBlock, identity shortcut', () => new sn.nn.BasicBlock(8, 8, 1)],
  ] as const) {
    it(`${name}: fused paths (batch norm or folded bias, add, ReLU in one pass) give the same bits; input kept`, () => {
      for (const fold of [false, true]) {
        const m = make();
        m.eval();
        let s = 40;
        for (const bn of m.modules()) if (bn instanceof sn.nn.BatchNorm2d) randomizeBatchNorm(bn, (s += 4));
        const c = (m as unknown as { conv1: { inChannels: number } }).conv1.inChannels;
        if (fold) expect(sn.nn.foldBatchNorm(m, [2, c, 8, 8])).toBeGreaterThan(0);
        const x = sn.randn([2, c, 8, 8], { seed: 12 });
        const x0 = x.toFloat32Array();
        const { fast, plain } = bothWays(m, x);
        expect(bitsEqual(fast, plain), fold ? 'folded' : 'batch norm').toBe(true);
        expect(bitsEqual(x.toFloat32Array(), x0)).toBe(true);
      }
    });
  }

  // Every conv path: 1x1 with few / many channels (the two GEMM orientations), 3x3 stride 1 (Winograd), stride 2 (im2col).
  const convs: [string, number, number, number, number][] = [
    ['1x1 -> 16', 8, 16, 1, 1], ['1x1 -> 96', 8, 96, 1, 1], ['3x3 stride 1', 8, 12, 3, 1], ['3x3 stride 2', 8, 12, 3, 2],
  ];
  for (const [name, cin, cout, k, stride] of convs) {
    it(`conv ${name}: bias+ReLU and batch norm(+ReLU) fused into one pass give the layers' own bits`, () => {
      const x = sn.randn([2, cin, 9, 9], { seed: 13 });
      const opts = { stride, padding: k >> 1 };
      const withBias = () => new sn.nn.Conv2d(cin, cout, k, { ...opts, seed: 14 });
      const noBias = () => new sn.nn.Conv2d(cin, cout, k, { ...opts, bias: false, seed: 15 });
      const bn = () => {
        const b = new sn.nn.BatchNorm2d(cout);
        randomizeBatchNorm(b, 16);
        return b;
      };
      for (const layers of [
        [withBias(), new sn.nn.ReLU()],
        [noBias(), bn(), new sn.nn.ReLU()],
        [noBias(), bn()],
        [withBias(), bn(), new sn.nn.ReLU()], // not fused (bias then batch norm): in-place ReLU only
      ]) {
        const m = new sn.nn.Sequential(...layers);
        m.eval();
        const { fast, plain } = bothWays(m, x);
        expect(bitsEqual(fast, plain), layers.map((l) => l.typeName).join('-')).toBe(true);
      }
    });
  }

  it('a hooked batch norm or ReLU is not fused away: its hook still fires', () => {
    const bn = new sn.nn.BatchNorm2d(4);
    const relu = new sn.nn.ReLU();
    const m = new sn.nn.Sequential(new sn.nn.Conv2d(2, 4, 3, { bias: false, seed: 17 }), bn, relu);
    m.eval();
    const seen: string[] = [];
    bn.registerForwardHook(() => seen.push('bn'));
    relu.registerForwardHook(() => seen.push('relu'));
    sn.tidy(() => { sn.noGrad(() => m.forward(sn.randn([1, 2, 5, 5], { seed: 18 }))); });
    expect(seen).toEqual(['bn', 'relu']);
  });

  it('a folded ResNet block (conv bias + ReLU fused) stays within float tolerance of the unfolded one', () => {
    const make = () => {
      const b = new sn.nn.Bottleneck(16, 4, 2);
      let s = 20;
      for (const m of b.modules()) if (m instanceof sn.nn.BatchNorm2d) randomizeBatchNorm(m, (s += 4));
      b.eval();
      return b;
    };
    const a = make();
    const f = make();
    f.loadStateDict(a.stateDict());
    sn.nn.foldBatchNorm(f, [1, 16, 8, 8]);
    const x = sn.randn([1, 16, 8, 8], { seed: 19 });
    const ya = sn.noGrad(() => a.forward(x)).toFloat32Array();
    const yf = sn.noGrad(() => f.forward(x)).toFloat32Array();
    const scale = ya.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxRelErr(yf, ya, 1e-5 * scale, 1e-4)).toBeLessThanOrEqual(1);
  });

  for (const variant of ['torchvision', 'original'] as const) {
    it(`GoogLeNet (${variant}, transformInput): no-grad inference gives the same bits and keeps the input`, () => {
      const m = sn.models.googlenet({ variant, transformInput: true, numClasses: 10, seed: 3 });
      m.eval();
      for (const bn of m.modules()) if (bn instanceof sn.nn.BatchNorm2d) randomizeBatchNorm(bn, 30);
      const side = variant === 'original' ? 224 : 64; // the paper's head pools a fixed 7x7
      const x = sn.randn([1, 3, side, side], { seed: 4 });
      const x0 = x.toFloat32Array();
      const { fast, plain } = bothWays(m, x);
      expect(bitsEqual(fast, plain)).toBe(true);
      expect(bitsEqual(x.toFloat32Array(), x0)).toBe(true);
      m.dispose();
    });
  }

  it('ResNet-18 no-grad peak is a fraction of the keep-everything peak, same bits', () => {
    const m = sn.models.resnet18({ seed: 1 });
    m.eval();
    const x = sn.randn([1, 3, 64, 64], { seed: 2 });
    const { fast, plain } = bothWays(m, x);
    expect(bitsEqual(fast, plain)).toBe(true);
    const keepAll = peakOf(() => sn.tidy(() => { m.forward(x); }));
    const freed = peakOf(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); }));
    // Both peaks include the largest conv's scratch (a Winograd filter transform); the
    // difference is the activations kept: most of them must be gone.
    const activations = 4 * sn.summary(m, [1, 3, 64, 64]).totals.activations;
    expect(keepAll - freed).toBeGreaterThan(0.7 * activations);
    m.dispose();
  });
});
