import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

// The lecture's two momentum rules, written out in float64, against SGD's options
// on a quadratic bowl L(w) = ½·Σ aᵢ·wᵢ² (∇ = a·w), with the lr dropped at step 5.
beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const A = [2, 0.5, -1];
const W0 = [1, -2, 0.5];
const lrAt = (t: number, drop: boolean) => (drop && t >= 5 ? 0.01 : 0.1);
const grad = (w: number[]) => w.map((x, i) => A[i] * x);

function sgd(opts: { momentum: number; weightDecay?: number }, steps: number, drop: boolean): number[][] {
  const w = sn.tensor(W0, [3], { requiresGrad: true });
  const opt = new sn.optim.SGD([w], { lr: 0.1, ...opts });
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    opt.lr = lrAt(t, drop);
    w.grad = sn.tensor(grad(Array.from(w.toFloat32Array())), [3]);
    opt.step();
    out.push(Array.from(w.toFloat32Array()));
  }
  return out;
}

/** Ruder: v = γv + η∇; θ −= v. */
function ruder(steps: number, drop: boolean): number[][] {
  let w = W0.slice(), v = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const g = grad(w), eta = lrAt(t, drop);
    v = v.map((vi, i) => 0.9 * vi + eta * g[i]);
    w = w.map((wi, i) => wi - v[i]);
    out.push(w);
  }
  return out;
}

/** AlexNet: v = 0.9v − 0.0005·ε·w − ε·∇; w += v. */
function alexnet(steps: number, drop: boolean): number[][] {
  let w = W0.slice(), v = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const g = grad(w), eps = lrAt(t, drop);
    v = v.map((vi, i) => 0.9 * vi - 0.0005 * eps * w[i] - eps * g[i]);
    w = w.map((wi, i) => wi + v[i]);
    out.push(w);
  }
  return out;
}

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((r, t) => r.map((x, i) => Math.abs(x - b[t][i]))));

describe('the lecture momentum forms through SGD options', () => {
  it("Ruder's form is SGD({ momentum: 0.9 }) at a constant lr (v = lr·buf)", () => {
    expect(maxDiff(sgd({ momentum: 0.9 }, 10, false), ruder(10, false))).toBeLessThan(1e-6);
  });
  it("AlexNet's rule is SGD({ momentum: 0.9, weightDecay: 0.0005 }) at a constant lr (v = −lr·buf)", () => {
    expect(maxDiff(sgd({ momentum: 0.9, weightDecay: 0.0005 }, 10, false), alexnet(10, false))).toBeLessThan(1e-6);
  });
  it('after an lr change they part: PyTorch rescales the velocity, the lecture forms keep it', () => {
    const ours = sgd({ momentum: 0.9, weightDecay: 0.0005 }, 10, true);
    const lecture = alexnet(10, true);
    expect(maxDiff(ours.slice(0, 5), lecture.slice(0, 5))).toBeLessThan(1e-6);
    expect(Math.abs(ours[5][0] - lecture[5][0])).toBeGreaterThan(1e-2);
    // The rescaled-velocity reading: AlexNet's rule with v ← v·(0.01/0.1) at the drop is PyTorch's trajectory.
    let w = W0.slice(), v = [0, 0, 0];
    for (let t = 0; t < 10; t++) {
      if (t === 5) v = v.map((x) => x * 0.1);
      const g = grad(w), eps = lrAt(t, true);
      v = v.map((vi, i) => 0.9 * vi - 0.0005 * eps * w[i] - eps * g[i]);
      w = w.map((wi, i) => wi + v[i]);
      for (let i = 0; i < 3; i++) expect(Math.abs(ours[t][i] - w[i])).toBeLessThan(1e-6);
    }
  });
});
