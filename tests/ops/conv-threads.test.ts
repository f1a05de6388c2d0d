// conv2d and the pools on a real 2-thread pool give the same bits as on one
// thread, on every path (the kernels split work by output element, and the
// filter gradient sums over the batch in a fixed order).
import { afterEach, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterEach(() => sn.shutdown());

type Run = () => Float32Array[];

function layer(xs: number[], ws: number[], opts: sn.F.Conv2dOptions): Run {
  return () => {
    const x = sn.tensor(randomArray(xs.reduce((a, b) => a * b), 1), xs, { requiresGrad: true });
    const w = sn.tensor(randomArray(ws.reduce((a, b) => a * b), 2), ws, { requiresGrad: true });
    const b = sn.tensor(randomArray(ws[0], 3), [ws[0]], { requiresGrad: true });
    const y = sn.F.conv2d(x, w, b, opts);
    const p = sn.F.maxPool2d(y, { kernelSize: 3, stride: 2, ceilMode: true });
    const q = sn.F.avgPool2d(p, { kernelSize: 2, padding: 1, countIncludePad: false });
    const r = sn.F.adaptiveMaxPool2d(sn.F.adaptiveAvgPool2d(q, [3, 2]), 2);
    r.backward(sn.tensor(randomArray(r.size, 4), r.shape));
    return [y.toFloat32Array(), r.toFloat32Array(), x.grad!.toFloat32Array(), w.grad!.toFloat32Array(), b.grad!.toFloat32Array()];
  };
}

const layers: [string, Run][] = [
  ['im2col, W·col, several bands', layer([2, 16, 100, 90], [96, 16, 3, 3], { stride: 2, padding: 1 })],
  ['im2col, colᵀ·Wᵀ, groups', layer([3, 8, 20, 21], [16, 4, 5, 5], { groups: 2, padding: 2 })],
  ['direct 1x1', layer([2, 64, 30, 30], [32, 64, 1, 1], {})],
  ['Winograd', layer([4, 32, 28, 28], [48, 32, 3, 3], { padding: 1 })],
  // 56 tile rows: bands of 10 on one thread, of 7 on two (bands.ts threadBalancedRows).
  ['Winograd, bands resized for 2 threads', layer([8, 16, 28, 28], [16, 16, 3, 3], { padding: 1 })],
];

describe('conv2d and pools: 2 threads give the bits of 1', () => {
  for (const [name, run] of layers) {
    it(name, async () => {
      await sn.init({ threads: 1 });
      const one = run();
      sn.shutdown();
      await sn.init({ threads: 2 });
      expect(sn.backendInfo().threads).toBe(2);
      const two = run();
      two.forEach((t, i) => expect(bitsEqual(t, one[i]), `output ${i}`).toBe(true));
    });
  }
});
