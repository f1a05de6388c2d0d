import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { backend } from '../../src/runtime/backend.js';
import { launchElementwise } from '../../src/ops/launch.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, randomArray } from '../helpers.js';

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

describe('addReluInPlace kernel', () => {
  it('equals add then relu bit for bit, tails included', () => {
    for (const n of [1, 7, 16, 37, 1000]) {
      sn.tidy(() => {
        const a = sn.tensor(randomArray(n, 1), [n]);
        const b = sn.tensor(randomArray(n, 2), [n]);
        const ref = sn.F.relu(sn.F.add(a, b)).toFloat32Array();
        launchElementwise('addReluInPlace', [a.ptr(), b.ptr(), n], n);
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
    const h = conv.registerForwardHook((_m, _in, out) => { kept = out as Tensor; });
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
        this.last = sn.F.relu(x);
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
    it(`${name}: fused in-place add+ReLU path gives the same bits; input kept`, () => {
      const m = make();
      m.eval();
      const c = (m as unknown as { conv1: { inChannels: number } }).conv1.inChannels;
      const x = sn.randn([2, c, 8, 8], { seed: 12 });
      const x0 = x.toFloat32Array();
      const { fast, plain } = bothWays(m, x);
      expect(bitsEqual(fast, plain)).toBe(true);
      expect(bitsEqual(x.toFloat32Array(), x0)).toBe(true);
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
