// hardtanh (ONNX Clip in simdnn/onnx: ReLU6, Hardtanh): PyTorch's values and
// gradient (g strictly inside the bounds, 0 at and beyond them). The kernels
// (clamp, hardtanhBackward) on threads and the relaxed build: tests/kernels/elementwise.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { hardtanh } from '../../src/ops/hardtanh.js';

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
});
