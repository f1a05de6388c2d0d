// The outside conformance check: walks /work/shared/API.md top to bottom
// through the public entry (the same surface as the built package) and compares
// numbers with PyTorch 1.13 (tests/fixtures/api_contract.json, written by
// scripts/fixtures/api_contract.py). One describe block per API.md section.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { maxRelErr, randomArray } from '../helpers.js';

type Tensor = sn.Tensor;
interface Arr { shape: number[]; data: number[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fx: any = JSON.parse(readFileSync(new URL('../fixtures/api_contract.json', import.meta.url), 'utf8'));
const F = sn.F;

const T = (a: Arr, requiresGrad = false): Tensor => sn.tensor(a.data, a.shape, { requiresGrad });
function close(t: Tensor, a: Arr, tol = 1e-4): void {
  expect(t.shape).toEqual(a.shape);
  expect(maxRelErr(t.toFloat32Array(), a.data, tol, tol)).toBeLessThanOrEqual(1);
}
/** Expects fn to throw a SimdnnError whose message mentions every fragment. */
function throwsSn(fn: () => unknown, ...fragments: string[]): sn.SimdnnError {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a SimdnnError').toBeInstanceOf(sn.SimdnnError);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).name).toBe('SimdnnError');
  expect((err as Error).constructor.name).toBe('SimdnnError');
  for (const f of fragments) expect((err as Error).message).toContain(f);
  return err as sn.SimdnnError;
}
const snapshot = (ts: Tensor[]) => ts.map((t) => t.toFloat32Array());
function unchanged(ts: Tensor[], before: Float32Array[]): void {
  ts.forEach((t, i) => expect(Array.from(t.toFloat32Array())).toEqual(Array.from(before[i])));
}

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('Start-up', () => {
  it('init is idempotent, backendInfo has the listed fields, baseline is the default', async () => {
    await sn.init({ threads: 1 });
    await sn.init();
    const info = sn.backendInfo();
    expect(Object.keys(info).sort()).toEqual(expect.arrayContaining(['memoryBytes', 'sharedMemory', 'simd', 'threads']));
    expect(info.threads).toBe(1);
    expect(info.simd).toBe('baseline');
    expect(typeof info.sharedMemory).toBe('boolean');
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.memoryBytes % 65536).toBe(0);
  });

  it('rejects unknown options and bad values with SimdnnError', async () => {
    for (const bad of [{ thread: 1 }, { threads: 0 }, { threads: 1.5 }, { simd: 'fast' }]) {
      let err: unknown = null;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await sn.init(bad as any).catch((e) => (err = e));
      expect(err, JSON.stringify(bad)).toBeInstanceOf(sn.SimdnnError);
    }
  });

  it('shutdown then init again works; a tensor from before is rejected', async () => {
    const old = sn.ones([2]);
    sn.shutdown();
    await sn.init({ threads: 1 });
    throwsSn(() => old.toFloat32Array(), 'toFloat32Array');
    throwsSn(() => F.relu(old), 'relu');
    expect(sn.ones([2]).toFloat32Array()).toEqual(new Float32Array([1, 1]));
  });
});

describe('Tensors', () => {
  it('tensor from Float32Array, number[] and Int32Array; requiresGrad option', () => {
    const a = sn.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
    const c = sn.tensor(new Int32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.size).toBe(6);
    expect(c.shape).toEqual([3, 2]);
    expect(Array.from(c.toFloat32Array())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(b.toFloat32Array())).toEqual(Array.from(a.toFloat32Array()));
    expect(a.requiresGrad).toBe(false);
    expect(b.requiresGrad).toBe(true);
    throwsSn(() => sn.tensor([1, 2, 3], [2, 2]), 'tensor', '[2,2]');
    throwsSn(() => sn.tensor([1, 2], [-1, -2]), 'tensor');
    throwsSn(() => sn.tensor([1, 2], [2], { requiresGrad: true, foo: 1 } as never), 'tensor', 'foo');
  });

  it('zeros/ones/full/randn/rand; seeds reproduce', () => {
    expect(Array.from(sn.zeros([2, 2]).toFloat32Array())).toEqual([0, 0, 0, 0]);
    expect(Array.from(sn.ones([3]).toFloat32Array())).toEqual([1, 1, 1]);
    expect(Array.from(sn.full([2], 2.5).toFloat32Array())).toEqual([2.5, 2.5]);
    const r1 = sn.randn([1000], { seed: 7 }).toFloat32Array();
    const r2 = sn.randn([1000], { seed: 7 }).toFloat32Array();
    const r3 = sn.randn([1000], { seed: 8 }).toFloat32Array();
    expect(r1).toEqual(r2);
    expect(r1).not.toEqual(r3);
    const mean = r1.reduce((s, v) => s + v, 0) / r1.length;
    const variance = r1.reduce((s, v) => s + (v - mean) ** 2, 0) / r1.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
    const u = sn.rand([1000], { seed: 3 }).toFloat32Array();
    expect(u).toEqual(sn.rand([1000], { seed: 3 }).toFloat32Array());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    throwsSn(() => sn.zeros([2, -1]), 'zeros');
    throwsSn(() => sn.randn([2], { seed: 1, sead: 2 } as never), 'randn', 'sead');
  });

  it('requiresGrad settable on leaves only; grad settable with the same shape', () => {
    const x = sn.ones([2, 2]);
    x.requiresGrad = true;
    const y = F.relu(x);
    expect(y.requiresGrad).toBe(true);
    throwsSn(() => (y.requiresGrad = false), 'requiresGrad');
    y.requiresGrad = true; // no change: allowed on a non-leaf, as in PyTorch
    x.grad = sn.full([2, 2], 3);
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([3, 3, 3, 3]);
    throwsSn(() => (x.grad = sn.ones([4])), 'grad', '[4]', '[2,2]');
    expect(x.grad!.shape).toEqual([2, 2]);
    x.grad = null;
    expect(x.grad).toBeNull();
  });

  it('toFloat32Array is a copy; item on one-element tensors only', () => {
    const t = sn.tensor([1, 2], [2]);
    const a = t.toFloat32Array();
    a[0] = 99;
    expect(t.toFloat32Array()[0]).toBe(1);
    expect(sn.tensor([4.5], [1, 1]).item()).toBe(4.5);
    expect(sn.tensor([4.5], []).item()).toBe(4.5);
    throwsSn(() => t.item(), 'item', '[2]');
  });

  it('backward: grad defaults to 1 for a one-element tensor, required otherwise', () => {
    const x = sn.tensor([1, -2, 3], [3], { requiresGrad: true });
    const loss = F.mseLoss(x, sn.zeros([3]), { reduction: 'sum' });
    expect(loss.shape).toEqual([]);
    loss.backward();
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([2, -4, 6]);
    const y = F.relu(x);
    throwsSn(() => y.backward(), 'backward');
    x.grad = null;
    y.backward(sn.tensor([1, 1, 2], [3]));
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([1, 0, 2]);
    x.grad = null;
    throwsSn(() => F.relu(x).backward(sn.ones([4])), 'backward', '[4]');
  });

  it('detach, clone, reshape, dispose', () => {
    const x = sn.tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(Array.from(d.toFloat32Array())).toEqual([1, 2, 3, 4]);
    const c = x.clone();
    expect(c.requiresGrad).toBe(true);
    const r = c.reshape([4]);
    expect(r.shape).toEqual([4]);
    expect(x.reshape([-1, 1]).shape).toEqual([4, 1]);
    r.backward(sn.tensor([1, 2, 3, 4], [4]));
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([1, 2, 3, 4]);
    throwsSn(() => x.reshape([3]), 'reshape', '[3]');
    const z = sn.ones([2]);
    z.dispose();
    throwsSn(() => z.toFloat32Array(), 'toFloat32Array');
    throwsSn(() => F.relu(z), 'relu');
    throwsSn(() => z.item(), 'item');
  });

  it('noGrad returns fn\'s result and records nothing', () => {
    const x = sn.ones([2], { requiresGrad: true });
    const out = sn.noGrad(() => F.relu(x));
    expect(out.requiresGrad).toBe(false);
    expect(sn.noGrad(() => 42)).toBe(42);
    throwsSn(() => sn.noGrad(42 as never), 'noGrad', 'function');
    throwsSn(() => sn.tidy(undefined as never), 'tidy', 'function');
  });

  it('matmul: [M,K]·[K,N] against PyTorch, differentiable (N-D: tests/ops/shape-ops-torch.test.ts)', () => {
    const c = fx.ops.matmul;
    const a = T(c.inputs.a, true), b = T(c.inputs.b, true);
    const y = sn.matmul(a, b);
    close(y, c.out);
    y.backward(T(c.probe));
    close(a.grad!, c.grads.a);
    close(b.grad!, c.grads.b);
    throwsSn(() => sn.matmul(sn.ones([2, 3]), sn.ones([2, 3])), 'matmul', '[2,3]');
    throwsSn(() => sn.matmul(sn.ones([1, 2, 3]), sn.ones([2, 2])), 'matmul', '[1,2,3]');
    throwsSn(() => sn.matmul(sn.ones([3]), sn.ones([2, 2])), 'matmul', '[3]');
  });
});

describe('Functional ops against PyTorch', () => {
  type Run = (t: Record<string, Tensor>) => Tensor;
  const runs: Record<string, Run> = {
    conv2dPairs: (t) => F.conv2d(t.x, t.w, t.b, { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 }),
    conv2dDefaults: (t) => F.conv2d(t.x, t.w, null),
    maxPoolDefaultStride: (t) => F.maxPool2d(t.x, { kernelSize: 3 }),
    maxPoolCeilPairs: (t) => F.maxPool2d(t.x, { kernelSize: [3, 2], stride: [2, 2], padding: [1, 0], ceilMode: true }),
    avgPoolDefaultStride: (t) => F.avgPool2d(t.x, { kernelSize: 2 }),
    avgPoolCeilIncludePad: (t) => F.avgPool2d(t.x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }),
    avgPoolCeilExcludePad: (t) => F.avgPool2d(t.x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    adaptiveAvgPair: (t) => F.adaptiveAvgPool2d(t.x, [3, 4]),
    adaptiveMaxScalar: (t) => F.adaptiveMaxPool2d(t.x, 3),
    linear: (t) => F.linear(t.x, t.w, t.b),
    matmul: (t) => sn.matmul(t.a, t.b),
    softmaxDim1: (t) => F.softmax(t.x, 1),
    logSoftmaxDimNeg1: (t) => F.logSoftmax(t.x, -1),
    lrnDefaults: (t) => F.localResponseNorm(t.x, { size: 3 }),
    concatDim1: (t) => F.concat([t.a, t.b], 1),
    flattenStart2: (t) => F.flatten(t.x, 2),
    tanhSigmoid: (t) => F.add(F.add(F.tanh(t.x), F.sigmoid(t.x)), F.relu(t.x)),
  };
  for (const [name, run] of Object.entries(runs)) {
    it(`${name}: output and gradients`, () => {
      const c = fx.ops[name];
      const inputs: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) inputs[k] = T(v as Arr, true);
      const y = run(inputs);
      close(y, c.out);
      y.backward(T(c.probe));
      for (const [k, g] of Object.entries(c.grads)) close(inputs[k].grad!, g as Arr);
    });
  }

  it('batchNorm training: output, gradients and running statistics (unbiased variance)', () => {
    const c = fx.ops.batchNormTraining;
    const x = T(c.inputs.x, true), w = T(c.inputs.weight, true), b = T(c.inputs.bias, true);
    const rm = T(c.runningMean), rv = T(c.runningVar);
    const y = F.batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.2, eps: 1e-3 });
    close(y, c.out);
    close(rm, c.runningMeanAfter);
    close(rv, c.runningVarAfter);
    y.backward(T(c.probe));
    close(x.grad!, c.grads.x);
    close(w.grad!, c.grads.weight);
    close(b.grad!, c.grads.bias);
    // eval (the default): the running statistics, unchanged
    const before = snapshot([rm, rv]);
    const ye = F.batchNorm(x, rm, rv, null, null);
    unchanged([rm, rv], before);
    const xs = x.toFloat32Array(), m = rm.toFloat32Array(), v = rv.toFloat32Array(), out = ye.toFloat32Array();
    for (let i = 0; i < xs.length; i++) {
      const ch = Math.floor(i / 4) % 2;
      expect(out[i]).toBeCloseTo((xs[i] - m[ch]) / Math.sqrt(v[ch] + 1e-5), 4);
    }
  });

  it('dropout: p = 0.5 default, 1/(1-p) scaling, training flag, seed', () => {
    const x = sn.ones([1000]);
    const a = F.dropout(x, { seed: 3 }).toFloat32Array();
    expect(a).toEqual(F.dropout(x, { seed: 3 }).toFloat32Array());
    expect(new Set(a)).toEqual(new Set([0, 2]));
    const kept = a.filter((v) => v > 0).length;
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(600);
    expect(new Set(F.dropout(x, { p: 0.2, seed: 1 }).toFloat32Array())).toEqual(new Set([0, 1.25]));
    expect(Array.from(new Set(F.dropout(x, { training: false }).toFloat32Array()))).toEqual([1]);
    expect(Array.from(new Set(F.dropout(x, { p: 0 }).toFloat32Array()))).toEqual([1]);
    throwsSn(() => F.dropout(x, { p: 1.5 }), 'dropout', 'p');
    throwsSn(() => F.dropout(x, { p: NaN }), 'dropout', 'p');
  });

  it('flatten defaults to startDim 1; add requires equal shapes', () => {
    expect(F.flatten(sn.ones([2, 3, 4, 5])).shape).toEqual([2, 60]);
    throwsSn(() => F.add(sn.ones([2, 3]), sn.ones([3, 2])), 'add', '[2,3]', '[3,2]');
  });

  it('image ops take rank-4 NCHW only (unbatched CHW is rejected)', () => {
    const chw = sn.ones([3, 8, 8]);
    throwsSn(() => F.conv2d(chw, sn.ones([2, 3, 3, 3]), null), 'conv2d', '[3,8,8]');
    throwsSn(() => F.maxPool2d(chw, { kernelSize: 2 }), 'maxPool2d', '[3,8,8]');
    throwsSn(() => F.avgPool2d(chw, { kernelSize: 2 }), 'avgPool2d', '[3,8,8]');
    throwsSn(() => F.adaptiveAvgPool2d(chw, 1), 'adaptiveAvgPool2d', '[3,8,8]');
    throwsSn(() => F.adaptiveMaxPool2d(chw, 1), 'adaptiveMaxPool2d', '[3,8,8]');
    throwsSn(() => F.localResponseNorm(chw, { size: 3 }), 'localResponseNorm', '[3,8,8]');
    throwsSn(() => F.batchNorm(chw, sn.zeros([3]), sn.ones([3]), null, null), 'batchNorm', '[3,8,8]');
  });

  it('bad sizes, kernels larger than the padded input, unknown and non-finite options', () => {
    const x = sn.ones([1, 3, 4, 4]);
    const w = sn.ones([2, 3, 3, 3]);
    throwsSn(() => F.conv2d(x, sn.ones([2, 4, 3, 3]), null), 'conv2d', '[2,4,3,3]', '[1,3,4,4]');
    throwsSn(() => F.conv2d(x, w, sn.ones([3])), 'conv2d', '[3]');
    throwsSn(() => F.conv2d(x, w, null, { stride: 0 }), 'conv2d', 'stride');
    throwsSn(() => F.conv2d(x, w, null, { padding: -1 }), 'conv2d', 'padding');
    throwsSn(() => F.conv2d(x, w, null, { groups: 2 }), 'conv2d', 'groups');
    throwsSn(() => F.conv2d(x, w, null, { strides: 2 } as never), 'conv2d', 'strides');
    throwsSn(() => F.conv2d(x, sn.ones([2, 3, 6, 6]), null), 'conv2d');
    throwsSn(() => F.maxPool2d(x, { kernelSize: 5 }), 'maxPool2d');
    throwsSn(() => F.maxPool2d(x, { kernelSize: 2, padding: 2 }), 'maxPool2d', 'padding');
    throwsSn(() => F.avgPool2d(x, { kernelSize: 0 }), 'avgPool2d', 'kernelSize');
    throwsSn(() => F.avgPool2d(x, { kernelSize: 2, ceil: true } as never), 'avgPool2d', 'ceil');
    throwsSn(() => F.adaptiveAvgPool2d(x, 0), 'adaptiveAvgPool2d');
    throwsSn(() => F.localResponseNorm(x, { size: 3, alpha: Infinity }), 'localResponseNorm', 'alpha');
    throwsSn(() => F.softmax(sn.ones([2, 3]), 2), 'softmax', 'dim');
    throwsSn(() => F.concat([sn.ones([2, 3]), sn.ones([3, 3])], 1), 'concat');
    throwsSn(() => F.linear(sn.ones([2, 3]), sn.ones([4, 5]), null), 'linear', '[4,5]', '[2,3]');
    throwsSn(() => F.batchNorm(x, sn.zeros([3]), sn.ones([3]), null, null, { momentum: NaN }), 'batchNorm', 'momentum');
  });

  it('a failed backward-recording call leaves gradients as they were', () => {
    const w = sn.ones([2, 3, 3, 3], { requiresGrad: true });
    w.grad = sn.full([2, 3, 3, 3], 0.5);
    const before = snapshot([w, w.grad]);
    throwsSn(() => F.conv2d(sn.ones([1, 4, 4, 4]), w, null), 'conv2d');
    unchanged([w, w.grad!], before);
  });
});

describe('conv and pool geometries against PyTorch (checksums)', () => {
  interface SweepCase {
    kind: 'conv' | 'maxPool' | 'avgPool';
    x: number[];
    w: number[] | null;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    opts: any;
    seed: number;
    outShape: number[];
    out: [number, number];
    grads: [number, number][];
  }
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  /** [Σ t·r, Σ |t|] in float64, r from randomArray(seed) (the generator's summary). */
  const sums = (t: Tensor, seed: number): [number, number] => {
    const v = t.toFloat32Array(), r = randomArray(v.length, seed);
    let dot = 0, abs = 0;
    for (let i = 0; i < v.length; i++) {
      dot += v[i] * r[i];
      abs += Math.abs(v[i]);
    }
    return [dot, abs];
  };
  const near = (got: [number, number], want: [number, number], what: string) => {
    // relative to Σ|t|: a checksum of n float32 sums of products
    expect(Math.abs(got[0] - want[0]), `${what} Σt·r ${got[0]} vs ${want[0]}`).toBeLessThanOrEqual(1e-5 * want[1] + 1e-6);
    expect(Math.abs(got[1] - want[1]), `${what} Σ|t| ${got[1]} vs ${want[1]}`).toBeLessThanOrEqual(1e-5 * want[1] + 1e-6);
  };
  for (const c of fx.sweep as SweepCase[]) {
    const label = `${c.kind} x[${c.x}]${c.w ? ` w[${c.w}]` : ''} ${JSON.stringify(c.opts)}`;
    it(label, () => {
      const x = sn.tensor(randomArray(size(c.x), c.seed), c.x, { requiresGrad: true });
      const leaves = [x];
      let y: Tensor;
      if (c.kind === 'conv') {
        const w = sn.tensor(randomArray(size(c.w!), c.seed + 1).map((v) => v * 0.5), c.w!, { requiresGrad: true });
        const b = sn.tensor(randomArray(c.w![0], c.seed + 2), [c.w![0]], { requiresGrad: true });
        leaves.push(w, b);
        y = F.conv2d(x, w, b, c.opts);
      } else {
        y = c.kind === 'maxPool' ? F.maxPool2d(x, c.opts) : F.avgPool2d(x, c.opts);
      }
      expect(y.shape).toEqual(c.outShape);
      near(sums(y, c.seed + 4), c.out, 'output');
      y.backward(sn.tensor(randomArray(y.size, c.seed + 3), y.shape));
      leaves.forEach((l, i) => near(sums(l.grad!, c.seed + 5 + i), c.grads[i], `grad ${i}`));
    });
  }
});

describe('Losses against PyTorch', () => {
  const inp = fx.losses.inputs;
  const probsT = () => T(inp.probs);
  const runs: Record<string, (x: Tensor, reduction: 'mean' | 'sum' | 'none') => Tensor> = {
    crossEntropyIndex: (x, reduction) => F.crossEntropy(x, inp.index, { reduction }),
    crossEntropyIndexSmooth: (x, reduction) => F.crossEntropy(x, new Int32Array(inp.index), { reduction, labelSmoothing: 0.1 }),
    crossEntropyProbsSmooth: (x, reduction) => F.crossEntropy(x, probsT(), { reduction, labelSmoothing: 0.2 }),
    l1: (x, reduction) => F.l1Loss(x, T(inp.regTarget), { reduction }),
    mse: (x, reduction) => F.mseLoss(x, T(inp.regTarget), { reduction }),
    smoothL1Default: (x, reduction) => F.smoothL1Loss(x, T(inp.regTarget), { reduction }),
    smoothL1Beta: (x, reduction) => F.smoothL1Loss(x, T(inp.regTarget), { reduction, beta: 0.5 }),
    huberDefault: (x, reduction) => F.huberLoss(x, T(inp.regTarget), { reduction }),
    huberDelta: (x, reduction) => F.huberLoss(x, T(inp.regTarget), { reduction, delta: 2 }),
  };
  for (const [name, run] of Object.entries(runs)) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`${name} reduction '${reduction}'`, () => {
        const c = fx.losses[name][reduction];
        const x = T(name.startsWith('cross') ? inp.logits : inp.regInput, true);
        const y = run(x, reduction);
        close(y, c.out);
        if (reduction !== 'none') expect(y.shape).toEqual([]);
        y.backward(T(c.probe));
        close(x.grad!, c.grad);
      });
    }
  }

  it("reduction defaults to 'mean' and returns a 0-d tensor", () => {
    const x = T(inp.logits);
    const c = fx.losses.crossEntropyIndex.mean;
    const y = F.crossEntropy(x, inp.index);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBeCloseTo(c.out.data[0], 5);
    expect(F.mseLoss(T(inp.regInput), T(inp.regTarget)).item()).toBeCloseTo(fx.losses.mse.mean.out.data[0], 4);
  });

  it('bad targets and options are SimdnnErrors', () => {
    const x = T(inp.logits);
    throwsSn(() => F.crossEntropy(x, [1, 2]), 'crossEntropy');
    throwsSn(() => F.crossEntropy(x, [1, 2, 3, 5]), 'crossEntropy', '5');
    throwsSn(() => F.crossEntropy(x, sn.ones([4, 4])), 'crossEntropy', '[4,4]');
    throwsSn(() => F.crossEntropy(x, inp.index, { reduction: 'avg' as never }), 'crossEntropy', 'avg');
    throwsSn(() => F.crossEntropy(x, inp.index, { labelSmoothing: 1.5 }), 'crossEntropy', 'labelSmoothing');
    throwsSn(() => F.crossEntropy(x, inp.index, { smoothing: 0.1 } as never), 'crossEntropy', 'smoothing');
    throwsSn(() => F.mseLoss(x, sn.ones([5, 4])), 'mseLoss', '[5,4]', '[4,5]');
    throwsSn(() => F.smoothL1Loss(x, sn.ones([4, 5]), { beta: NaN }), 'smoothL1Loss', 'beta');
    throwsSn(() => F.huberLoss(x, sn.ones([4, 5]), { delta: 0 }), 'huberLoss', 'delta');
  });
});

describe('Modules', () => {
  it('forward, parameters, namedParameters, buffers, train/eval', () => {
    const net = new sn.nn.Sequential(
      new sn.nn.Conv2d(1, 4, 3, { padding: 1 }),
      new sn.nn.BatchNorm2d(4),
      new sn.nn.ReLU(),
      new sn.nn.MaxPool2d(2),
      new sn.nn.Flatten(),
      new sn.nn.Linear(4 * 4 * 4, 3),
    );
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '5.weight', '5.bias']);
    expect(net.parameters().length).toBe(6);
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(net.buffers().length).toBe(3); // running mean, running var, num batches tracked
    expect(Object.keys(net.stateDict())).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '5.weight', '5.bias',
    ]);
    expect(net.training).toBe(true);
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    throwsSn(() => net.train('eval' as never), 'train', 'eval');
    expect(net.train(false).training).toBe(false);
    net.train(true);
    const y = net.forward(sn.randn([2, 1, 8, 8], { seed: 1 }));
    expect(y.shape).toEqual([2, 3]);
  });

  it('stateDict holds copies; loadStateDict checks names and shapes, writes nothing on failure', () => {
    const lin = new sn.nn.Linear(3, 2);
    const sd = lin.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    const w0 = lin.weight.toFloat32Array();
    sd.weight.view().fill(5);
    expect(lin.weight.toFloat32Array()).toEqual(w0);
    lin.loadStateDict(sd);
    expect(Array.from(new Set(lin.weight.toFloat32Array()))).toEqual([5]);
    const before = snapshot(lin.parameters());
    throwsSn(() => lin.loadStateDict({ weight: sn.zeros([2, 3]), bias: sn.zeros([3]) }), 'loadStateDict', 'bias', '[3]', '[2]');
    throwsSn(() => lin.loadStateDict({ weight: sn.zeros([2, 3]) }), 'loadStateDict', 'bias');
    throwsSn(() => lin.loadStateDict({ weight: sn.zeros([2, 3]), bias: sn.zeros([2]), extra: sn.zeros([1]) }), 'loadStateDict', 'extra');
    throwsSn(() => lin.loadStateDict({ weight: sn.zeros([2, 3]) }, { strickt: false } as never), 'loadStateDict', 'strickt');
    throwsSn(() => lin.loadStateDict({ weight: sn.zeros([2, 3]) }, { strict: 'no' as never }), 'loadStateDict', 'strict');
    unchanged(lin.parameters(), before);
    expect(lin.loadStateDict({ weight: sn.zeros([2, 3]) }, { strict: false })).toEqual({ missingKeys: ['bias'], unexpectedKeys: [] });
  });

  it('constructor options mirror PyTorch', () => {
    const conv = new sn.nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, bias: false });
    expect(conv.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([['weight', [6, 2, 3, 2]]]);
    const c = fx.ops.conv2dPairs;
    const conv2 = new sn.nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 });
    conv2.loadStateDict({ weight: T(c.inputs.w), bias: T(c.inputs.b) });
    close(conv2.forward(T(c.inputs.x)), c.out);
    throwsSn(() => new sn.nn.Conv2d(4, 6, 3, { group: 2 } as never), 'Conv2d', 'group');
    throwsSn(() => new sn.nn.Conv2d(4, 6, 3, { groups: 4 }), 'Conv2d', 'groups');
    throwsSn(() => new sn.nn.Conv2d(0, 6, 3), 'Conv2d');
    expect(new sn.nn.Linear(3, 2, { bias: false }).parameters().length).toBe(1);
    const mp = fx.ops.maxPoolCeilPairs;
    close(new sn.nn.MaxPool2d([3, 2], { stride: [2, 2], padding: [1, 0], ceilMode: true }).forward(T(mp.inputs.x)), mp.out);
    const ap = fx.ops.avgPoolCeilExcludePad;
    close(new sn.nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).forward(T(ap.inputs.x)), ap.out);
    const aa = fx.ops.adaptiveAvgPair;
    close(new sn.nn.AdaptiveAvgPool2d([3, 4]).forward(T(aa.inputs.x)), aa.out);
    const lrn = fx.ops.lrnDefaults;
    close(new sn.nn.LocalResponseNorm(3).forward(T(lrn.inputs.x)), lrn.out);
    const drop = new sn.nn.Dropout(0.25);
    drop.eval();
    expect(Array.from(new Set(drop.forward(sn.ones([50])).toFloat32Array()))).toEqual([1]);
    expect(new sn.nn.Flatten().forward(sn.ones([2, 3, 4])).shape).toEqual([2, 12]);
    const bn = new sn.nn.BatchNorm2d(3, { eps: 1e-3, momentum: 0.3 });
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    expect(new sn.nn.BatchNorm2d(3, { affine: false }).parameters().length).toBe(0);
  });

  it('Module.zeroGrad releases the gradients like the optimizer does', () => {
    const lin = new sn.nn.Linear(3, 2);
    F.linear(sn.ones([1, 3]), lin.weight, lin.bias).backward(sn.ones([1, 2]));
    const grads = lin.parameters().map((p) => p.grad!);
    expect(grads.every((g) => g !== null && !g.isDisposed)).toBe(true);
    lin.zeroGrad();
    expect(lin.parameters().every((p) => p.grad === null)).toBe(true);
    expect(grads.every((g) => g.isDisposed)).toBe(true);
  });
});

describe('Optimizers against PyTorch', () => {
  const o = fx.optim;
  for (const [name, c] of Object.entries(o.cases) as [string, { cls: 'SGD' | 'Adam' | 'AdamW'; opts: Record<string, unknown>; after: Arr[] }][]) {
    it(`${name}: 3 steps, lr halved before the third`, () => {
      const p = T(o.p0, true);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const opt = new (sn.optim[c.cls] as any)([p], c.opts) as sn.optim.Optimizer<{ lr: number }> & { lr: number };
      for (let i = 0; i < 3; i++) {
        if (i === 2) opt.lr = opt.lr * 0.5;
        opt.zeroGrad();
        expect(p.grad).toBeNull();
        p.grad = T(o.grads[i]);
        opt.step();
        close(p, c.after[i], 2e-5);
      }
    });
  }

  it('defaults as in API.md', () => {
    const p = sn.ones([2], { requiresGrad: true });
    const adam = new sn.optim.Adam([p]);
    expect(adam.lr).toBe(1e-3);
    expect(adam.paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new sn.optim.AdamW([p]).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false });
    expect(new sn.optim.SGD([p], { lr: 0.1 }).paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
  });

  it('bad options throw; a failed step writes nothing', () => {
    const p = sn.ones([2], { requiresGrad: true });
    throwsSn(() => new sn.optim.SGD([p], {} as never), 'SGD', 'lr');
    throwsSn(() => new sn.optim.SGD([p], { lr: NaN }), 'SGD', 'lr');
    throwsSn(() => new sn.optim.SGD([p], { lr: 0.1, momentun: 0.9 } as never), 'SGD', 'momentun');
    throwsSn(() => new sn.optim.Adam([p], { betas: [0.9, 1.5] }), 'Adam', 'betas');
    throwsSn(() => new sn.optim.AdamW([p], { eps: -1 }), 'AdamW', 'eps');
    const q = sn.ones([3], { requiresGrad: true });
    const opt = new sn.optim.SGD([p, q], { lr: 0.1, momentum: 0.9 });
    p.grad = sn.ones([2]);
    q.grad = sn.ones([3]);
    opt.step();
    const before = snapshot([p, q]);
    throwsSn(() => (opt.lr = Infinity), 'SGD', 'lr');
    expect(opt.lr).toBe(0.1);
    opt.paramGroups[0].lr = NaN; // a plain field: checked again by step, before anything is written
    throwsSn(() => opt.step(), 'SGD', 'lr');
    unchanged([p, q], before);
    opt.paramGroups[0].lr = 0.1;
    q.dispose();
    throwsSn(() => opt.step(), 'SGD');
    unchanged([p], before);
  });

  it('lrScheduler: StepLR, CosineAnnealingLR, ReduceLROnPlateau follow PyTorch', () => {
    const s = fx.schedulers;
    const lrs = (make: (opt: sn.optim.SGD) => { step(m?: number): void }, n: number, metrics?: number[]) => {
      const opt = new sn.optim.SGD([sn.zeros([1], { requiresGrad: true })], { lr: 1 });
      const sch = make(opt);
      const out = [opt.lr];
      for (let i = 0; i < n; i++) {
        sch.step(metrics?.[i]);
        out.push(opt.lr);
      }
      return out;
    };
    const L = sn.optim.lrScheduler;
    const near = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 10));
    near(lrs((o) => new L.StepLR(o, { stepSize: 2, gamma: 0.5 }), 7), s.stepLR);
    near(lrs((o) => new L.StepLR(o, { stepSize: 3 }), 7), s.stepLRDefaultGamma);
    near(lrs((o) => new L.CosineAnnealingLR(o, { tMax: 4, etaMin: 0.01 }), 6), s.cosine);
    near(lrs((o) => new L.CosineAnnealingLR(o, { tMax: 3 }), 4), s.cosineDefaultEtaMin);
    const m = s.plateauMetrics as number[];
    near(lrs((o) => new L.ReduceLROnPlateau(o), m.length, m), s.plateauDefaults);
    near(lrs((o) => new L.ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1 }), m.length, m), s.plateauPatience1);
    near(lrs((o) => new L.ReduceLROnPlateau(o, { mode: 'max', patience: 0, minLr: 0.05 }), m.length, m), s.plateauMax);
    const opt = new sn.optim.SGD([sn.zeros([1], { requiresGrad: true })], { lr: 1 });
    throwsSn(() => new L.StepLR(opt, { stepSize: 0 }), 'StepLR', 'stepSize');
    throwsSn(() => new L.CosineAnnealingLR(opt, { tMax: 3, eta_min: 0 } as never), 'CosineAnnealingLR', 'eta_min');
    throwsSn(() => new L.ReduceLROnPlateau(opt, { factor: 2 }), 'ReduceLROnPlateau', 'factor');
  });
});

describe('Model zoo', () => {
  const count = (m: sn.nn.Module) => m.parameters().reduce((s, p) => s + p.size, 0);
  const cases: [string, () => sn.nn.Module][] = [
    ['alexnet', () => sn.models.alexnet()],
    ['alexnet_10', () => sn.models.alexnet({ numClasses: 10 })],
    ['vgg11', () => sn.models.vgg11()],
    ['vgg11_bn', () => sn.models.vgg11({ batchNorm: true })],
    ['googlenet', () => sn.models.googlenet()],
    ['resnet18', () => sn.models.resnet18()],
    ['resnet18_7', () => sn.models.resnet18({ numClasses: 7 })],
    ['resnet50', () => sn.models.resnet50()],
  ];
  for (const [name, make] of cases) {
    it(`${name}: parameter count, parameter names and stateDict keys equal torchvision's`, () => {
      const m = make();
      const ref = fx.zoo[name];
      expect(count(m)).toBe(ref.params);
      expect(m.namedParameters().map(([n]) => n)).toEqual(ref.paramNames);
      expect(m.namedStates().map(([n]) => n)).toEqual(ref.stateDictKeys);
      m.dispose();
    });
  }

  it('the counts API.md states: lenet5 61,706; googlenet 6,624,904; original alexnet 60,965,224', () => {
    const lenet = sn.models.lenet5();
    expect(count(lenet)).toBe(61706);
    expect(lenet.namedParameters().map(([n]) => n)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias',
    ]);
    expect(count(sn.models.lenet5({ numClasses: 5 }))).toBe(61706 - 5 * 85);
    const g = sn.models.googlenet({ variant: 'torchvision' });
    expect(count(g)).toBe(6624904);
    g.dispose();
    const a = sn.models.alexnet({ variant: 'original' });
    expect(count(a)).toBe(60965224);
    a.dispose();
    const go = sn.models.googlenet({ variant: 'original' });
    expect(go.namedParameters().map(([n]) => n.split('.')[0])).toEqual(expect.arrayContaining(['conv1', 'inception3a', 'inception5b', 'fc']));
    go.dispose();
    for (const make of [sn.models.vgg13, sn.models.vgg16, sn.models.vgg19, sn.models.resnet34, sn.models.resnet101, sn.models.resnet152]) {
      expect(typeof make).toBe('function');
    }
    throwsSn(() => sn.models.alexnet({ variant: 'caffe' as never }), 'alexnet', 'caffe');
    throwsSn(() => sn.models.vgg16({ batchnorm: true } as never), 'vgg16', 'batchnorm');
    throwsSn(() => sn.models.resnet18({ numClasses: 0 }), 'resnet18', 'numClasses');
  });

  it('lenet5 forward takes 1x32x32 and gives [N, numClasses]', () => {
    const y = sn.models.lenet5().forward(sn.randn([2, 1, 32, 32], { seed: 1 }));
    expect(y.shape).toEqual([2, 10]);
  });
});

describe('Summary', () => {
  it('rows and totals fields; macs and params for LeNet-5; toString is a table', () => {
    const m = sn.models.lenet5();
    const s = sn.summary(m, [1, 1, 32, 32]);
    for (const r of s.rows) {
      expect(typeof r.name).toBe('string');
      expect(typeof r.type).toBe('string');
      expect(Array.isArray(r.outputShape)).toBe(true);
      for (const k of ['params', 'activations', 'macs'] as const) expect(Number.isInteger(r[k])).toBe(true);
    }
    expect(s.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['conv1', 'conv2', 'fc1', 'fc2', 'fc3']));
    const conv1 = s.rows.find((r) => r.name === 'conv1')!;
    expect(conv1.outputShape).toEqual([1, 6, 28, 28]);
    expect(conv1.params).toBe(156);
    expect(conv1.macs).toBe(6 * 28 * 28 * 25);
    expect(s.totals.params).toBe(61706);
    expect(s.totals.trainable).toBe(61706);
    // conv1 117600 + conv2 240000 + fc1 48000 + fc2 10080 + fc3 840
    expect(s.totals.macs).toBe(416520);
    expect(s.totals.activations).toBeGreaterThan(0);
    const batch2 = sn.summary(m, [2, 1, 32, 32]);
    expect(batch2.totals.macs).toBe(2 * 416520);
    const text = s.toString();
    expect(text).toContain('conv1');
    expect(text).toContain('61,706');
    throwsSn(() => sn.summary(m, [1, 32, 32]), 'summary', '[1,32,32]');
  });
});

describe('Data', () => {
  const d = fx.data;
  const img = (): sn.data.Image => sn.data.image(3, 7, 8, new Float32Array(d.img.data));
  const same = (i: sn.data.Image, a: Arr) => {
    expect([i.channels, i.height, i.width]).toEqual(a.shape);
    expect(maxRelErr(i.data, a.data, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
  };

  it('centerCrop, horizontalFlip, normalize match torchvision', () => {
    same(sn.data.centerCrop(img(), 5), d.centerCrop5);
    same(sn.data.centerCrop(img(), [4, 6]), d.centerCrop4x6);
    same(sn.data.horizontalFlip(img(), { p: 1 }), d.hflip);
    same(sn.data.horizontalFlip(img(), { p: 0 }), d.img);
    same(sn.data.normalize(img(), [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]), d.normalize);
    throwsSn(() => sn.data.normalize(img(), [0.5, 0.4, 0.3], [0.2, 0, 0.3]), 'normalize');
    // Larger than the image: padded with 0 as torchvision's center_crop does (tests/data/photo-transforms.test.ts checks the placement).
    const padded = sn.data.centerCrop(img(), 9);
    expect([padded.channels, padded.height, padded.width, padded.data[0]]).toEqual([3, 9, 9, 0]);
    throwsSn(() => sn.data.centerCrop(img(), 0), 'centerCrop');
  });

  it('randomCrop is seeded and takes a window of the image', () => {
    const a = sn.data.randomCrop(img(), 4, { seed: 5 });
    expect(a.data).toEqual(sn.data.randomCrop(img(), 4, { seed: 5 }).data);
    expect([a.channels, a.height, a.width]).toEqual([3, 4, 4]);
    const src = d.img.data as number[];
    const k = src.findIndex((v) => Math.fround(v) === a.data[0]);
    const y0 = Math.floor(k / 8), x0 = k % 8;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(a.data[y * 4 + x]).toBe(Math.fround(src[(y0 + y) * 8 + x0 + x]));
    throwsSn(() => sn.data.randomCrop(img(), 4, { sed: 1 } as never), 'randomCrop', 'sed');
  });

  it('PcaColorAugment.fit then apply: seeded, std = 0 is the identity, shifts each pixel by one RGB offset', () => {
    const imgs = [0, 1, 2, 3].map((s) => sn.data.image(3, 4, 4, sn.rand([3, 4, 4], { seed: s }).toFloat32Array()));
    const pca = sn.data.PcaColorAugment.fit(imgs);
    const a = pca.apply(imgs[0], { seed: 1 });
    expect(a.data).toEqual(pca.apply(imgs[0], { seed: 1 }).data);
    expect(Array.from(pca.apply(imgs[0], { std: 0, seed: 1 }).data)).toEqual(Array.from(imgs[0].data));
    for (let c = 0; c < 3; c++) {
      const off = a.data[c * 16] - imgs[0].data[c * 16];
      for (let i = 1; i < 16; i++) expect(a.data[c * 16 + i] - imgs[0].data[c * 16 + i]).toBeCloseTo(off, 5);
    }
  });

  it('DataLoader: batchSize, shuffle with seed, dropLast; IDX reader', () => {
    // an IDX pair written by hand: 5 images of 2x3 bytes, 5 labels
    const images = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 3, ...Array.from({ length: 30 }, (_, i) => i * 8)]);
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 5, 3, 1, 4, 1, 5]);
    const ds = sn.data.idxDataset(sn.data.parseIdx(images), sn.data.parseIdx(labels));
    expect(ds.length).toBe(5);
    expect(ds.get(1).label).toBe(1);
    expect(ds.get(1).image.data[0]).toBeCloseTo(48 / 255, 6);
    const plain = new sn.data.DataLoader(ds, { batchSize: 2 });
    const batches = [...plain];
    expect(batches.map((b) => Array.from(b.y))).toEqual([[3, 1], [4, 1], [5]]);
    expect(batches[0].x.shape).toEqual([2, 1, 2, 3]);
    expect(new sn.data.DataLoader(ds, { batchSize: 2, dropLast: true }).length).toBe(2);
    const sh = (seed: number) => [...new sn.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed })][0].y;
    expect(Array.from(sh(1))).toEqual(Array.from(sh(1)));
    expect(Array.from(sh(1)).sort()).toEqual([1, 1, 3, 4, 5]);
    throwsSn(() => new sn.data.DataLoader(ds, { batchSize: 0 }), 'DataLoader', 'batchSize');
    throwsSn(() => new sn.data.DataLoader(ds, { batch: 2 } as never), 'DataLoader', 'batch');
    throwsSn(() => sn.data.parseIdx(new Uint8Array([1, 2, 3])), 'readIdx');
  });
});

describe('Weights I/O', () => {
  it('loads a PyTorch-layout safetensors file (F32, F16, BF16, 0-d I64) and it loads into BatchNorm2d', () => {
    const s = fx.safetensors;
    const bytes = new Uint8Array(Buffer.from(s.base64, 'base64'));
    const sd = sn.io.loadSafetensors(bytes);
    for (const [k, v] of Object.entries(s.values)) close(sd[k], v as Arr, 1e-6);
    expect(sd['bn.num_batches_tracked'].shape).toEqual([]);
    const holder = new (class extends sn.nn.Module {
      bn = this.registerModule('bn', new sn.nn.BatchNorm2d(2));
      forward(x: Tensor) {
        return this.bn.forward(x);
      }
    })();
    const bnOnly = Object.fromEntries(Object.entries(sd).filter(([k]) => k.startsWith('bn.')));
    holder.loadStateDict(bnOnly);
    expect(Array.from(holder.bn.buffers()[0].toFloat32Array())).toEqual([0.25, -0.5]);
    throwsSn(() => sn.io.loadSafetensors(bytes.subarray(0, 20)), 'loadSafetensors');
  });

  it('saveSafetensors(model | stateDict) round-trips through loadSafetensors', () => {
    const m = sn.models.lenet5({ seed: 3 });
    const back = sn.io.loadSafetensors(sn.io.saveSafetensors(m));
    const sd = m.stateDict();
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    for (const k of Object.keys(sd)) expect(back[k].toFloat32Array()).toEqual(sd[k].toFloat32Array());
    const again = sn.io.loadSafetensors(sn.io.saveSafetensors(sd));
    expect(again['fc3.bias'].toFloat32Array()).toEqual(sd['fc3.bias'].toFloat32Array());
    const fresh = sn.models.lenet5({ seed: 4 });
    fresh.loadStateDict(back);
    expect(fresh.stateDict()['conv1.weight'].toFloat32Array()).toEqual(sd['conv1.weight'].toFloat32Array());
  });
});
