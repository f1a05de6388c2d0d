// The direct small-layer conv path (assembly/conv2d/small.ts, src/ops/conv2d/small.ts):
// forward and both gradients bit-identical to the im2col GEMM path and close to
// a float64 reference, finite-difference gradients, and the same bits for 1, 2
// and 3 threads.
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { convBackwardData, convBackwardFilter, convForward } from '../../src/ops/conv2d/run.js';
import { applies as smallApplies } from '../../src/ops/conv2d/small.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { gradcheck } from '../gradcheck.js';
import { bitsEqual, maxRelErr, randomArray } from '../helpers.js';
import { refConv, refGeometry } from './conv-reference.js';

afterAll(() => sn.shutdown());

// [x shape, w shape]: LeNet's two layers, odd sizes, channel counts that are
// not multiples of 4 or 8, non-square kernels, a row width of exactly 4.
const SHAPES: [number[], number[]][] = [
  [[3, 1, 32, 32], [6, 1, 5, 5]],
  [[5, 6, 14, 14], [16, 6, 5, 5]],
  [[2, 3, 9, 11], [5, 3, 5, 3]],
  [[1, 2, 8, 7], [9, 2, 3, 2]],
  [[2, 7, 6, 9], [13, 7, 1, 6]],
];

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function run(xs: number[], ws: number[]): Float32Array[] {
  return sn.tidy(() => {
    const x = sn.tensor(randomArray(size(xs), 1), xs, { requiresGrad: true });
    const w = sn.tensor(randomArray(size(ws), 2), ws, { requiresGrad: true });
    const b = sn.tensor(randomArray(ws[0], 3), [ws[0]], { requiresGrad: true });
    const y = sn.F.conv2d(x, w, b);
    y.backward(sn.tensor(randomArray(y.size, 4), y.shape));
    return [y.toFloat32Array(), x.grad!.toFloat32Array(), w.grad!.toFloat32Array(), b.grad!.toFloat32Array()];
  });
}

describe('conv2d small direct path', () => {
  it('is chosen for these shapes and not for strided, padded, grouped, wide or large-plane ones', async () => {
    await sn.init({ threads: 1 });
    const geo = (xs: number[], ws: number[], o = {}) => convGeometry('t', sn.zeros(xs), sn.zeros(ws), null, o);
    for (const [xs, ws] of SHAPES) expect(smallApplies(geo(xs, ws))).toBe(true);
    expect(smallApplies(geo([1, 1, 32, 32], [6, 1, 5, 5], { stride: 2 }))).toBe(false);
    expect(smallApplies(geo([1, 1, 32, 32], [6, 1, 5, 5], { padding: 2 }))).toBe(false);
    expect(smallApplies(geo([1, 4, 32, 32], [6, 2, 5, 5], { groups: 2 }))).toBe(false);
    expect(smallApplies(geo([1, 64, 32, 32], [6, 64, 5, 5]))).toBe(false);
    expect(smallApplies(geo([1, 3, 100, 100], [6, 3, 5, 5]))).toBe(false);
  });

  it('forward and both gradients: the im2col path\'s bits, and the float64 reference', async () => {
    await sn.init({ threads: 1 });
    for (const [xs, ws] of SHAPES) {
      const [y, gx, gw, gb] = run(xs, ws);
      const x = randomArray(size(xs), 1), w = randomArray(size(ws), 2), b = randomArray(ws[0], 3);
      const g = convGeometry('t', sn.zeros(xs), sn.zeros(ws), null, {});
      const gy = randomArray(y.length, 4);
      const [xt, wt, bt, gyt] = [sn.tensor(x, xs), sn.tensor(w, ws), sn.tensor(b, [ws[0]]), sn.tensor(gy, [g.N, g.OC, g.OH, g.OW])];
      const yIm2col = sn.zeros([g.N, g.OC, g.OH, g.OW]), gwIm2col = sn.zeros(ws), gxIm2col = sn.zeros(xs);
      convForward(g, xt.ptr(), wt.ptr(), bt.ptr(), yIm2col.ptr(), 'im2col');
      convBackwardFilter(g, xt.ptr(), gyt.ptr(), gwIm2col.ptr(), 'im2col');
      convBackwardData(g, gyt.ptr(), wt.ptr(), gxIm2col.ptr(), 'im2col');
      expect(bitsEqual(y, yIm2col.toFloat32Array()), `forward ${xs} ${ws}`).toBe(true);
      expect(bitsEqual(gw, gwIm2col.toFloat32Array()), `filter gradient ${xs} ${ws}`).toBe(true);
      expect(bitsEqual(gx, gxIm2col.toFloat32Array()), `data gradient ${xs} ${ws}`).toBe(true);
      const ref = refConv(refGeometry(xs, ws, {}), x, w, b, gy);
      expect(maxRelErr(y, ref.y, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      expect(maxRelErr(gx, ref.gx, 1e-5, 1e-5), `data gradient ${xs} ${ws}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(gw, ref.gw, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      expect(maxRelErr(gb, ref.gb, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    }
  });

  it('gradchecks by finite differences', async () => {
    await sn.init({ threads: 1 });
    const xs = [2, 3, 7, 8], ws = [5, 3, 5, 3];
    const r = gradcheck((x, w, b) => sn.F.conv2d(x, w, b), [
      { data: randomArray(size(xs), 5), shape: xs },
      { data: randomArray(size(ws), 6), shape: ws },
      { data: randomArray(5, 7), shape: [5] },
    ]);
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });

  it('gives the same bits for 1, 2 and 3 threads', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // more threads than cores
    const results: Float32Array[][][] = [];
    for (const threads of [1, 2, 3]) {
      sn.shutdown();
      await sn.init({ threads });
      results.push(SHAPES.map(([xs, ws]) => run(xs.map((v, i) => (i === 0 ? 8 : v)), ws)));
    }
    for (const other of results.slice(1)) {
      other.forEach((arrs, i) => arrs.forEach((a, j) => expect(bitsEqual(a, results[0][i][j]), `shape ${i} output ${j}`).toBe(true)));
    }
  });
});
