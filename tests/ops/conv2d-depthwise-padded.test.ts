// The padded-scratch depthwise forward (assembly/depthwise-padded.ts, chosen while
// a padded plane per thread fits in PADDED_MAX_SCRATCH_FLOATS) gives the bits of the edge-skipping
// kernel (assembly/depthwise.ts) for every depthwise case, writes nothing outside
// its output, and the same bits when split over 1, 2, 3 or 5 threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { forward as depthwiseForward, paddedApplies } from '../../src/ops/conv2d/depthwise.js';
import { convGeometry } from '../../src/ops/conv2d/index.js';
import { backend } from '../../src/runtime/backend.js';
import { bitsEqual, randomArray } from '../helpers.js';
import { CASES, THREAD_CASES, type DepthwiseCase } from './conv2d-depthwise-cases.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
// MobileNetV2's small layers (3x3, padding 1, stride 1 and 2) and odd widths around a vector.
const MOBILE: DepthwiseCase[] = [
  ['7x7 s1', [1, 24, 7, 7], [24, 1, 3, 3], { padding: 1, groups: 24 }],
  ['14x14 s2', [1, 16, 14, 14], [16, 1, 3, 3], { stride: 2, padding: 1, groups: 16 }],
  ['14x14 s1', [2, 8, 14, 14], [8, 1, 3, 3], { padding: 1, groups: 8 }],
  ['5x6 s1', [1, 3, 5, 6], [3, 1, 3, 3], { padding: 1, groups: 3 }],
  ['9x9 s2 multiplier 2', [1, 3, 9, 9], [6, 1, 3, 3], { stride: 2, padding: 1, groups: 3 }],
];
const ALL = [...CASES, ...THREAD_CASES, ...MOBILE];

/** y of one case by the chosen kernel, in a buffer with 5 guard values after the output. */
function forward([, xs, ws, opts]: DepthwiseCase, padded: boolean): { y: Float32Array; guard: Float32Array } {
  return sn.tidy(() => {
    const x = sn.tensor(randomArray(size(xs), 1), xs);
    const w = sn.tensor(randomArray(size(ws), 2), ws);
    const b = sn.tensor(randomArray(ws[0], 3), [ws[0]]);
    const g = convGeometry('t', x, w, b, opts);
    const n = g.N * g.OC * g.OH * g.OW;
    const y = sn.full([n + 5], 7.5);
    depthwiseForward(g, x.ptr(), w.ptr(), b.ptr(), y.ptr(), padded);
    const all = y.toFloat32Array();
    return { y: all.subarray(0, n), guard: all.subarray(n) };
  });
}

describe('depthwise forward, padded-scratch kernel', () => {
  it('is chosen while one padded plane per thread fits in the scratch limit', () => {
    const geo = (xs: number[], ws: number[], o: object) => convGeometry('t', sn.zeros(xs), sn.zeros(ws), null, o);
    expect(paddedApplies(geo([1, 4, 112, 112], [4, 1, 3, 3], { stride: 2, padding: 1, groups: 4 }))).toBe(true);
    expect(paddedApplies(geo([1, 1, 1100, 1000], [1, 1, 3, 3], { padding: 1, groups: 1 }))).toBe(false);
  });

  it('gives the edge-skipping kernel\'s bits for every case and writes nothing past its output', () => {
    for (const c of ALL) {
      const a = forward(c, true), b = forward(c, false);
      expect(bitsEqual(a.y, b.y), c[0]).toBe(true);
      expect(Array.from(a.guard), c[0]).toEqual([7.5, 7.5, 7.5, 7.5, 7.5]);
    }
  });

  it('gives the same bits split over 1, 2, 3 and 5 threads', () => {
    const k = backend().kernels;
    for (const [name, xs, ws, opts] of [...THREAD_CASES, ...MOBILE]) {
      sn.tidy(() => {
        const x = sn.tensor(randomArray(size(xs), 1), xs);
        const w = sn.tensor(randomArray(size(ws), 2), ws);
        const b = sn.tensor(randomArray(ws[0], 3), [ws[0]]);
        const g = convGeometry('t', x, w, b, opts);
        const plane = k.depthwisePaddedRows(g.H, g.kH, g.sH, g.pH, g.dH, g.OH) * k.depthwisePaddedCols(g.W, g.kW, g.sW, g.pW, g.dW, g.OW);
        const scratch = sn.zeros([5 * plane]);
        const y = sn.zeros([g.N, g.OC, g.OH, g.OW]);
        const run = (t: number) => {
          y.view().fill(NaN);
          for (let tid = 0; tid < t; tid++) {
            k.depthwiseForwardPadded(x.ptr(), g.N, g.C, g.H, g.W, g.OCg, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, w.ptr(), b.ptr(), y.ptr(), g.OH, g.OW, scratch.ptr(), tid, t);
          }
          return y.toFloat32Array();
        };
        const one = run(1);
        expect(one.some(Number.isNaN), name).toBe(false);
        for (const t of [2, 3, 5]) expect(bitsEqual(run(t), one), `${name}, ${t} threads`).toBe(true);
      });
    }
  });
});
