// The depthwise conv path (assembly/conv2d/depthwise.ts, src/ops/conv2d/depthwise.ts):
// chosen for groups == C only; forward and both gradients against the float64
// reference for a table of shapes; finite-difference gradients; the same bits
// for 1, 2 and 3 threads.
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { applies as depthwiseApplies } from '../../src/ops/conv2d/depthwise.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { gradcheck } from '../gradcheck.js';
import { bitsEqual, maxRelErr, randomArray } from '../helpers.js';
import { refConv, refGeometry } from './conv-reference.js';
import { CASES, THREAD_CASES, type DepthwiseCase } from './conv2d-depthwise-cases.js';

afterAll(() => sn.shutdown());

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** [y, dx, dw, db] of conv2d with bias, for seeded inputs and output gradient. */
function run([, xs, ws, opts]: DepthwiseCase): Float32Array[] {
  return sn.tidy(() => {
    const x = sn.tensor(randomArray(size(xs), 1), xs, { requiresGrad: true });
    const w = sn.tensor(randomArray(size(ws), 2), ws, { requiresGrad: true });
    const b = sn.tensor(randomArray(ws[0], 3), [ws[0]], { requiresGrad: true });
    const y = sn.F.conv2d(x, w, b, opts);
    y.backward(sn.tensor(randomArray(y.size, 4), y.shape));
    return [y.toFloat32Array(), x.grad!.toFloat32Array(), w.grad!.toFloat32Array(), b.grad!.toFloat32Array()];
  });
}

describe('conv2d depthwise path', () => {
  it('is chosen when groups == input channels, not for other groupings', async () => {
    await sn.init({ threads: 1 });
    const geo = (xs: number[], ws: number[], o = {}) => convGeometry('t', sn.zeros(xs), sn.zeros(ws), null, o);
    for (const [, xs, ws, o] of CASES) expect(depthwiseApplies(geo(xs, ws, o))).toBe(true);
    expect(depthwiseApplies(geo([1, 4, 8, 8], [4, 2, 3, 3], { groups: 2 }))).toBe(false);
    expect(depthwiseApplies(geo([1, 4, 8, 8], [4, 4, 3, 3]))).toBe(false);
    expect(depthwiseApplies(geo([1, 1, 8, 8], [4, 1, 3, 3]))).toBe(false); // groups 1: a plain conv
  });

  it('forward and both gradients match the float64 reference', async () => {
    await sn.init({ threads: 1 });
    for (const c of CASES) {
      const [name, xs, ws, opts] = c;
      const [y, gx, gw, gb] = run(c);
      const x = randomArray(size(xs), 1), w = randomArray(size(ws), 2), b = randomArray(ws[0], 3);
      const ref = refConv(refGeometry(xs, ws, opts), x, w, b, randomArray(y.length, 4));
      expect(y.length, name).toBe(ref.y.length);
      expect(maxRelErr(y, ref.y), `forward ${name}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(gx, ref.gx), `data gradient ${name}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(gw, ref.gw), `filter gradient ${name}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(gb, ref.gb), `bias gradient ${name}`).toBeLessThanOrEqual(1);
    }
  });

  it('the 3x3 register path gives the general loop\'s bits (a 3x4 kernel with a zero last column)', async () => {
    // The zero column adds ±0 after each kernel row's third tap: exact on these nonzero sums,
    // so the general loop (kW = 4) must reproduce the 3x3 path's outputs bit for bit.
    await sn.init({ threads: 1 });
    for (const stride of [1, 2]) {
      const xs = [2, 3, 9, 45];
      const x = sn.tensor(randomArray(size(xs), 8), xs);
      const w3 = randomArray(3 * 9, 9);
      const w4 = new Float32Array(3 * 12);
      for (let i = 0; i < 9 * 3; i++) w4[Math.floor(i / 3) * 4 + (i % 3)] = w3[i];
      const opts = { stride, padding: 1, groups: 3 };
      const y3 = sn.F.conv2d(x, sn.tensor(w3, [3, 1, 3, 3]), null, opts);
      const y4 = sn.F.conv2d(x, sn.tensor(w4, [3, 1, 3, 4]), null, opts);
      const [, , OH, OW3] = y3.shape, OW4 = y4.shape[3];
      const a = y3.toFloat32Array(), b = y4.toFloat32Array();
      for (let p = 0; p < 2 * 3 * OH; p++) {
        const cols = Math.min(OW3, OW4);
        expect(bitsEqual(a.subarray(p * OW3, p * OW3 + cols), b.subarray(p * OW4, p * OW4 + cols)), `stride ${stride} row ${p}`).toBe(true);
      }
    }
  });

  it('gradchecks by finite differences (stride 2, dilation with multiplier)', async () => {
    await sn.init({ threads: 1 });
    const cases: [number[], number[], object][] = [
      [[2, 3, 7, 9], [3, 1, 3, 3], { stride: 2, padding: 1, groups: 3 }],
      [[1, 2, 7, 8], [4, 1, 3, 2], { padding: 2, dilation: 2, groups: 2 }],
    ];
    for (const [xs, ws, opts] of cases) {
      const r = gradcheck((x, w) => sn.F.conv2d(x, w, null, opts), [
        { data: randomArray(size(xs), 5), shape: xs },
        { data: randomArray(size(ws), 6), shape: ws },
      ]);
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    }
  });

  it('gives the same bits for 1, 2 and 3 threads', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // more threads than cores
    const results: Float32Array[][][] = [];
    for (const threads of [1, 2, 3]) {
      sn.shutdown();
      await sn.init({ threads });
      results.push(THREAD_CASES.map(run));
    }
    for (const other of results.slice(1)) {
      other.forEach((arrs, i) => arrs.forEach((a, j) => expect(bitsEqual(a, results[0][i][j]), `${THREAD_CASES[i][0]} output ${j}`).toBe(true)));
    }
  });
});
