// hardtanh (ONNX Clip in simdnn/onnx: ReLU6, Hardtanh): PyTorch's values and
// gradient (g strictly inside the bounds, 0 at and beyond them), and the same
// bits whatever the number of threads the kernels are split over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { hardtanh } from '../../src/ops/hardtanh.js';
import { backend } from '../../src/runtime/backend.js';
import { bitsEqual, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('hardtanh', () => {
  it('clamps and passes the gradient only strictly inside (lo, hi), as torch.nn.functional.hardtanh', () => {
    const xs = [-7, -0.5, 0, 0.25, 3, 6, 6.5, 100, NaN, -0, 5.999];
    const x = sn.tensor(xs, [xs.length], { requiresGrad: true });
    const g = sn.tensor(xs.map((_, i) => i + 1), [xs.length]);
    const y = hardtanh(x, 0, 6);
    y.backward(g);
    const want = xs.map((v) => Math.min(Math.max(v, 0), 6));
    expect(Array.from(y.toFloat32Array())).toEqual(want.map((v) => Math.fround(v)));
    expect(Array.from(x.grad!.toFloat32Array())).toEqual(xs.map((v, i) => (v > 0 && v < 6 ? Math.fround(i + 1) : 0)));
  });

  it('has the same bits for 1, 2, 3 and 5 threads (forward: clamp kernel; backward: hardtanhBackward)', () => {
    const n = 315; // uneven splits and tails
    const x = sn.tensor(randomArray(n, 1).map((v) => v * 8), [n]);
    const g = sn.tensor(randomArray(n, 2), [n]);
    const out = sn.zeros([n]);
    const k = backend().kernels;
    const runs = (t: number) => {
      const r: Float32Array[] = [];
      out.view().fill(NaN);
      for (let tid = 0; tid < t; tid++) k.unary(8, x.ptr(), out.ptr(), n, -1.5, 6, tid, t);
      r.push(out.toFloat32Array());
      out.view().fill(NaN);
      for (let tid = 0; tid < t; tid++) k.hardtanhBackward(x.ptr(), g.ptr(), out.ptr(), n, -1.5, 6, tid, t);
      r.push(out.toFloat32Array());
      return r;
    };
    const one = runs(1);
    for (const o of one) expect(Array.from(o).some(Number.isNaN)).toBe(false);
    for (const t of [2, 3, 5]) runs(t).forEach((o, i) => expect(bitsEqual(o, one[i]), `${t} threads, output ${i}`).toBe(true));
  });
});
