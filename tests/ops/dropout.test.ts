import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { bitsEqual, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const F = sn.F;

describe('F.dropout', () => {
  it('is a pure function of the seed, and different seeds give different masks', () => {
    const x = sn.ones([1000]);
    const a = F.dropout(x, { p: 0.5, seed: 42 }).toFloat32Array();
    const b = F.dropout(x, { p: 0.5, seed: 42 }).toFloat32Array();
    const c = F.dropout(x, { p: 0.5, seed: 43 }).toFloat32Array();
    expect(bitsEqual(a, b)).toBe(true);
    expect(bitsEqual(a, c)).toBe(false);
  });

  it('keeps the same mask across releases (frozen: browsers and Node agree on these bits)', () => {
    // The first 32 keep bits for seed 42 at p = 0.5, from the mask's defining hash.
    const m = F.dropout(sn.ones([32]), { p: 0.5, seed: 42 }).toFloat32Array();
    const bits = Array.from(m).map((v) => (v === 0 ? '0' : '1')).join('');
    expect(bits).toBe(MASK_SEED42);
  });

  it('follows the documented hash: keep i iff fmix32(i·0x9e3779b9 + fmix32(seed ^ 0x5bd1e995)) >>> 8 >= round(p·2^24)', () => {
    const fmix32 = (h: number) => {
      h = (h ^ (h >>> 16)) >>> 0;
      h = Math.imul(h, 0x85ebca6b) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0;
      h = Math.imul(h, 0xc2b2ae35) >>> 0;
      return (h ^ (h >>> 16)) >>> 0;
    };
    for (const [seed, p] of [[42, 0.5], [-5, 0.25], [2 ** 40 + 3, 0.9]]) {
      const n = 1001;
      const y = F.dropout(sn.ones([n]), { p, seed }).toFloat32Array();
      const key = fmix32(((seed >>> 0) ^ 0x5bd1e995) >>> 0);
      const threshold = Math.round(p * 2 ** 24);
      for (let i = 0; i < n; i++) {
        const keep = fmix32((Math.imul(i, 0x9e3779b9) + key) >>> 0) >>> 8 >= threshold;
        expect(y[i] !== 0, `seed ${seed} element ${i}`).toBe(keep);
      }
    }
  });

  it('drops a fraction p and scales the rest by exactly 1/(1-p)', () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.8]) {
      const x = sn.full([n], 3);
      const y = F.dropout(x, { p, seed: 7 }).toFloat32Array();
      let kept = 0;
      for (const v of y) {
        if (v !== 0) {
          kept++;
          expect(v).toBe(Math.fround(3 * Math.fround(1 / (1 - p))));
        }
      }
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(kept - n * (1 - p))).toBeLessThan(5 * sd);
    }
  });

  it('neighbouring elements are independent (no runs from the hash)', () => {
    const y = F.dropout(sn.ones([100_000]), { p: 0.5, seed: 3 }).toFloat32Array();
    let same = 0;
    for (let i = 1; i < y.length; i++) if ((y[i] === 0) === (y[i - 1] === 0)) same++;
    expect(Math.abs(same - 50_000)).toBeLessThan(5 * Math.sqrt(100_000 * 0.25));
  });

  it('p = 1 gives zeros, p = 0 and evaluation give the input', () => {
    const x = sn.tensor([1, -2, 3, 4, 5], [5]);
    expect(Array.from(F.dropout(x, { p: 1, seed: 1 }).toFloat32Array())).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(F.dropout(x, { p: 0 }).toFloat32Array())).toEqual([1, -2, 3, 4, 5]);
    expect(Array.from(F.dropout(x, { training: false }).toFloat32Array())).toEqual([1, -2, 3, 4, 5]);
    const xg = sn.tensor([1, 2], [2], { requiresGrad: true });
    F.dropout(xg, { training: false }).backward(sn.tensor([5, 6], [2]));
    expect(Array.from(xg.grad!.toFloat32Array())).toEqual([5, 6]);
  });

  it('without a seed draws a fresh one each call', () => {
    const x = sn.ones([256]);
    expect(bitsEqual(F.dropout(x).toFloat32Array(), F.dropout(x).toFloat32Array())).toBe(false);
  });

  it('backward applies the same mask and scale', () => {
    const x = sn.randn([3, 50], { seed: 2, requiresGrad: true });
    const y = F.dropout(x, { p: 0.3, seed: 9 });
    const g = sn.randn([3, 50], { seed: 4 });
    y.backward(g);
    const xv = x.toFloat32Array();
    const yv = y.toFloat32Array();
    const gv = g.toFloat32Array();
    const gx = x.grad!.toFloat32Array();
    const scale = Math.fround(1 / 0.7);
    for (let i = 0; i < xv.length; i++) {
      expect(gx[i]).toBe(yv[i] === 0 ? 0 : Math.fround(gv[i] * scale));
      if (yv[i] !== 0) expect(yv[i]).toBe(Math.fround(xv[i] * scale));
    }
  });

  it('matches finite differences for a fixed seed', () => {
    const r = gradcheck((x) => F.dropout(x, { p: 0.4, seed: 11 }), [{ data: randomArray(37, 1), shape: [37] }]);
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });

  it('rejects bad options', () => {
    const x = sn.ones([4]);
    expect(() => F.dropout(x, { p: 1.5 })).toThrow(/dropout: p must be in \[0, 1\], got 1.5/);
    expect(() => F.dropout(x, { p: NaN })).toThrow(/dropout: p must be a finite number/);
    expect(() => F.dropout(x, { seed: 0.5 })).toThrow(/dropout: seed must be an integer/);
    expect(() => F.dropout(x, { rate: 0.5 } as never)).toThrow(/dropout: unknown option 'rate'/);
    expect(() => F.dropout(x, { training: 1 } as never)).toThrow(/dropout: training must be true or false/);
  });
});

const MASK_SEED42 = '00100011110101110111011111000001';
