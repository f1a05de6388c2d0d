import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

// PyTorch 1.13 lr sequences: scripts/fixtures/losses_optim.py
const fx = JSON.parse(readFileSync(new URL('../fixtures/optim.json', import.meta.url), 'utf8'));
const S = sn.optim.lrScheduler as any;

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

function optimizer(groups: number) {
  const ps = Array.from({ length: groups }, () => sn.zeros([1], { requiresGrad: true }));
  return new sn.optim.SGD(ps.map((p, i) => ({ params: [p], lr: 0.1 * (i + 1) })), { lr: 0.1 });
}

describe('lr schedulers against PyTorch', () => {
  for (const c of fx.schedulers) {
    it(c.name, () => {
      const opt = optimizer(c.groups);
      const s = new S[c.cls](opt, c.opts);
      const seq = [opt.paramGroups.map((g) => g.lr)];
      for (let k = 0; k < c.lrs.length - 1; k++) {
        if (c.metrics) s.step(c.metrics[k]);
        else s.step();
        seq.push(opt.paramGroups.map((g) => g.lr));
        expect(s.getLastLr()).toEqual(seq[seq.length - 1]);
      }
      // The same float64 arithmetic as PyTorch's Python: equal up to the last bit or two.
      seq.forEach((lrs, k) => lrs.forEach((lr, i) => expect(lr).toBeCloseTo(c.lrs[k][i], 14)));
    });
  }
});

describe('scheduler behaviour', () => {
  it('stateDict/loadStateDict resume a schedule', () => {
    const a = optimizer(1);
    const s = new S.CosineAnnealingLR(a, { tMax: 6 });
    for (let i = 0; i < 3; i++) s.step();
    const sd = JSON.parse(JSON.stringify(s.stateDict()));
    const b = optimizer(1);
    b.lr = a.lr;
    const t = new S.CosineAnnealingLR(b, { tMax: 2 });
    t.loadStateDict(sd);
    for (let i = 0; i < 4; i++) (s.step(), t.step());
    expect(b.lr).toBe(a.lr);
    expect(t.tMax).toBe(6);

    const p = new S.ReduceLROnPlateau(a, { patience: 0 });
    p.step(1);
    const q = new S.ReduceLROnPlateau(b, { patience: 5 });
    q.loadStateDict(JSON.parse(JSON.stringify(p.stateDict())));
    expect(q.patience).toBe(0);
    expect(q.best).toBe(1);
    expect(() => q.loadStateDict({ bogus: 1 })).toThrow(sn.SimdnnError);
  });

  it('rejects bad options', () => {
    const opt = optimizer(1);
    expect(() => new S.StepLR(opt, { stepSize: 0 })).toThrow(sn.SimdnnError);
    expect(() => new S.StepLR(opt, { stepSize: 2, gama: 0.1 })).toThrow(/unknown option/);
    expect(() => new S.ExponentialLR(opt, { gamma: NaN })).toThrow(sn.SimdnnError);
    expect(() => new S.CosineAnnealingLR(opt, { tMax: 1.5 })).toThrow(sn.SimdnnError);
    expect(() => new S.MultiStepLR(opt, { milestones: [1, -2] })).toThrow(sn.SimdnnError);
    expect(() => new S.LinearLR(opt, { startFactor: 0 })).toThrow(sn.SimdnnError);
    expect(() => new S.ReduceLROnPlateau(opt, { factor: 1 })).toThrow(sn.SimdnnError);
    expect(() => new S.ReduceLROnPlateau(opt, { mode: 'up' })).toThrow(sn.SimdnnError);
    expect(() => new S.ReduceLROnPlateau(opt, { minLr: [0, 0] })).toThrow(sn.SimdnnError);
    const p = new S.ReduceLROnPlateau(opt);
    expect(() => p.step(NaN)).toThrow(sn.SimdnnError);
    expect(opt.lr).toBe(0.1);
  });
});
