// The dedicated 2x2/stride-2 max-pool kernels (assembly/pool2x2.ts) against
// the generic kernel: the same bits on ties, NaN, ±inf, -0 gradients, odd
// sizes and column tails, for 1, 2 and 3 threads.
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { gradcheck } from '../gradcheck.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterAll(() => sn.shutdown());

/** The generic kernel's window for a 2x2, stride 2 pool. */
const WINDOW_2X2 = { kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1 };

/** Values from a small set (many ties) with NaN, ±inf and -0 sprinkled in. */
function nasty(n: number, seed: number): Float32Array {
  const r = randomArray(n, seed);
  const specials = [NaN, Infinity, -Infinity, -0, 0];
  return r.map((v, i) => (i % 7 === 3 ? specials[i % 5] : Math.round(v * 3) / 2));
}

function backwardBoth(shape: number[], threads: number): [Float32Array, Float32Array] {
  const [N, C, H, W] = shape;
  const OH = H >> 1, OW = W >> 1;
  const x = sn.tensor(nasty(N * C * H * W, 1), shape);
  const gy = sn.tensor(randomArray(N * C * OH * OW, 2).map((v, i) => (i % 11 === 0 ? -0 : v)), [N, C, OH, OW]);
  const fast = sn.full(shape, 7), generic = sn.full(shape, 7);
  kernels.maxPool2x2Backward({ x: x.ptr(), dy: gy.ptr(), planes: N * C, H, W, OH, OW, dx: fast.ptr() }, threads);
  kernels.maxPool2dBackward({ x: x.ptr(), dy: gy.ptr(), planes: N * C, H, W, OH, OW, ...WINDOW_2X2, dx: generic.ptr() }, threads);
  return [fast.toFloat32Array(), generic.toFloat32Array()];
}

function forwardBoth(shape: number[], threads: number): [Float32Array, Float32Array] {
  const [N, C, H, W] = shape;
  const OH = H >> 1, OW = W >> 1;
  const x = sn.tensor(nasty(N * C * H * W, 3), shape);
  const fast = sn.full([N, C, OH, OW], 7), generic = sn.full([N, C, OH, OW], 7);
  kernels.maxPool2x2Forward({ x: x.ptr(), planes: N * C, H, W, OH, OW, y: fast.ptr() }, threads);
  kernels.maxPool2dForward({ x: x.ptr(), planes: N * C, H, W, OH, OW, ...WINDOW_2X2, y: generic.ptr() }, threads);
  return [fast.toFloat32Array(), generic.toFloat32Array()];
}

const SHAPES = [[2, 3, 28, 28], [1, 2, 7, 9], [3, 1, 10, 10], [1, 1, 2, 2], [1, 1, 3, 17], [2, 4, 20, 18]];

describe('maxPool2x2Forward / maxPool2x2Backward', () => {
  for (const threads of [1, 2, 3]) {
    it(`equals the generic kernel bit for bit (${threads} thread(s))`, async () => {
      sn.shutdown();
      vi.spyOn(console, 'warn').mockImplementation(() => {}); // more threads than cores
      await sn.init({ threads });
      for (const shape of SHAPES) {
        const [fast, generic] = backwardBoth(shape, threads);
        expect(bitsEqual(fast, generic), `backward, shape ${shape}`).toBe(true);
        const [yFast, yGeneric] = forwardBoth(shape, threads);
        expect(bitsEqual(yFast, yGeneric), `forward, shape ${shape}`).toBe(true);
      }
    });
  }

  it('is what F.maxPool2d kernelSize 2 uses, and gradchecks (odd size, ceilMode falls back)', async () => {
    sn.shutdown();
    await sn.init({ threads: 1 });
    const data = Float32Array.from({ length: 2 * 9 * 11 }, (_, i) => ((i * 37) % 198) * 0.05);
    for (const opts of [{ kernelSize: 2 }, { kernelSize: 2, ceilMode: true }]) {
      const r = gradcheck((x) => sn.F.maxPool2d(x, opts), [{ data, shape: [1, 2, 9, 11] }], { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    }
  });
});
