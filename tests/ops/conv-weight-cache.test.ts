import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual } from '../helpers.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { choosePath } from '../../src/ops/conv2d/choose-path.js';
import { derivedWeightBytes, setDerivedWeightLimit } from '../../src/ops/conv2d/weight-cache.js';
import { kernels } from '../../src/runtime/kernel-calls.js';

// The transformed F(4x4,3x3) filters kept across no-grad calls (src/ops/conv2d/weight-cache.ts).

const OPTS = { padding: 1 };

beforeAll(async () => {
  await sn.init({ threads: 1 });
  sn._internal.forceWinogradTile(4);
});
afterAll(() => {
  sn._internal.forceWinogradTile(null);
  sn.shutdown();
});
afterEach(() => setDerivedWeightLimit(null));

/** conv2d(x, w) as bits: with `keepable` under noGrad (the cached path), else recording a gradient (never cached). */
function run(x: Tensor, w: Tensor, keepable: boolean): Float32Array {
  if (keepable) return sn.tidy(() => sn.noGrad(() => sn.F.conv2d(x, w, null, OPTS)).toFloat32Array());
  const leaf = sn.tensor(w.toFloat32Array(), w.shape, { requiresGrad: true });
  const y = sn.tidy(() => sn.F.conv2d(x, leaf, null, OPTS).toFloat32Array());
  leaf.dispose();
  return y;
}

function layer(seed: number): { x: Tensor; w: Tensor } {
  const x = sn.keep(sn.randn([2, 32, 18, 18], { seed }));
  const w = sn.keep(sn.randn([20, 32, 3, 3], { seed: seed + 1 }).mul(0.2));
  expect(choosePath(convGeometry('conv2d', x, w, null, OPTS))).toBe('winograd-f4x4-3x3');
  return { x, w };
}

describe('conv2d keeps transformed filters across no-grad calls', () => {
  it('gives the bits of the uncached transform, and transforms once while the weight is unchanged', () => {
    const { x, w } = layer(1);
    const ref = run(x, w, false);
    const transforms = vi.spyOn(kernels, 'winograd4Weights');
    expect(bitsEqual(run(x, w, true), ref)).toBe(true);
    expect(bitsEqual(run(x, w, true), ref)).toBe(true);
    expect(bitsEqual(run(x, w, true), ref)).toBe(true);
    expect(transforms).toHaveBeenCalledTimes(1);
    transforms.mockRestore();
    x.dispose();
    w.dispose();
  });

  it('sees every write to the weight: in-place init, a raw view write, an optimizer step, loadStateDict', () => {
    const { x, w } = layer(5);
    run(x, w, true);
    sn.nn.init.normal_(w, 0, 0.1, { seed: 9 });
    expect(bitsEqual(run(x, w, true), run(x, w, false))).toBe(true);
    w.view()[7] += 1;
    expect(bitsEqual(run(x, w, true), run(x, w, false))).toBe(true);

    w.requiresGrad = true;
    const opt = new sn.optim.SGD([w], { lr: 0.5 });
    w.grad = sn.randn(w.shape, { seed: 11 });
    const before = run(x, w, true);
    opt.step();
    const after = run(x, w, true);
    expect(bitsEqual(after, before)).toBe(false);
    w.requiresGrad = false;
    expect(bitsEqual(after, run(x, w, false))).toBe(true);

    const conv = new sn.nn.Conv2d(32, 20, 3, { padding: 1, bias: false });
    const other = new sn.nn.Conv2d(32, 20, 3, { padding: 1, bias: false });
    conv.eval();
    const fwd = (m: typeof conv) => sn.tidy(() => sn.noGrad(() => m.forward(x) as Tensor).toFloat32Array());
    fwd(conv);
    conv.loadStateDict(other.stateDict());
    expect(bitsEqual(fwd(conv), fwd(other))).toBe(true);
    for (const t of [x, w]) t.dispose();
  });

  it('frees a kept copy with its weight, keeps nothing past the limit, and nothing while recording gradients', () => {
    const { x, w } = layer(20);
    const start = derivedWeightBytes().bytes;
    run(x, w, false);
    expect(derivedWeightBytes().bytes).toBe(start);
    run(x, w, true);
    const kept = derivedWeightBytes().bytes - start;
    expect(kept).toBeGreaterThanOrEqual(36 * 20 * 32 * 4);
    w.dispose();
    expect(derivedWeightBytes().bytes).toBe(start);

    const w2 = sn.keep(sn.randn([20, 32, 3, 3], { seed: 21 }));
    setDerivedWeightLimit(start + kept - 4);
    const transforms = vi.spyOn(kernels, 'winograd4Weights');
    const ref = run(x, w2, true);
    expect(bitsEqual(run(x, w2, true), ref)).toBe(true);
    expect(transforms).toHaveBeenCalledTimes(2); // over the limit: transformed each call
    transforms.mockRestore();
    expect(derivedWeightBytes().bytes).toBe(start);
    x.dispose();
    w2.dispose();
  });

  it('forgets copies made before a shutdown', async () => {
    const { x, w } = layer(30);
    run(x, w, true);
    expect(derivedWeightBytes().bytes).toBeGreaterThan(0);
    sn.shutdown();
    await sn.init({ threads: 1 });
    expect(derivedWeightBytes().bytes).toBe(0);
    const x2 = sn.randn([2, 32, 18, 18], { seed: 30 });
    const w2 = sn.randn([20, 32, 3, 3], { seed: 31 });
    expect(bitsEqual(run(x2, w2, true), run(x2, w2, false))).toBe(true);
  });
});
