import { afterAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { bitsEqual, randomArray } from '../helpers.js';

// Updates and losses split over 2 threads give the same bits as 1 thread
// (sizes above the element-wise cut-off, odd lengths so the tails are split too).
afterAll(() => sn.shutdown());

function run(): Float32Array[] {
  const n = 70001;
  const out: Float32Array[] = [];
  for (const make of [
    (ps: sn.Tensor[]) => new sn.optim.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true }),
    (ps: sn.Tensor[]) => new sn.optim.Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
    (ps: sn.Tensor[]) => new sn.optim.AdamW(ps, { lr: 0.01 }),
  ]) {
    const p = sn.tensor(randomArray(n, 1), [n], { requiresGrad: true });
    const opt = make([p]);
    for (let t = 0; t < 3; t++) {
      p.grad = sn.tensor(randomArray(n, 10 + t), [n]);
      opt.step();
    }
    out.push(p.toFloat32Array());
  }
  const x = sn.tensor(randomArray(300 * 251, 2).map((v) => v * 10), [300, 251], { requiresGrad: true });
  const soft = sn.tensor(randomArray(300 * 251, 3).map(Math.abs), [300, 251], { requiresGrad: true });
  const ce = sn.F.crossEntropy(x, soft, { reduction: 'none', labelSmoothing: 0.1 });
  ce.backward(sn.tensor(randomArray(300, 4), [300]));
  out.push(ce.toFloat32Array(), x.grad!.toFloat32Array(), soft.grad!.toFloat32Array());
  const a = sn.tensor(randomArray(n, 5), [n], { requiresGrad: true });
  const h = sn.F.huberLoss(a, sn.tensor(randomArray(n, 6), [n]), { delta: 0.3 });
  h.backward();
  out.push(h.toFloat32Array(), a.grad!.toFloat32Array());
  return out;
}

describe('thread count does not change the bits', () => {
  it('SGD, Adam, AdamW, crossEntropy and huberLoss: 1 thread vs 2', async () => {
    await sn.init({ threads: 1 });
    const one = run();
    sn.shutdown();
    await sn.init({ threads: 2 });
    const two = run();
    expect(one.length).toBe(two.length);
    one.forEach((a, i) => expect(bitsEqual(a, two[i]), `result ${i}`).toBe(true));
  });
});
