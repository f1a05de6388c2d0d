// Every kernel of the functional ops, run split over 1..5 simulated threads
// (tid = 0..n-1 called in turn, which is what the pool does concurrently):
// the output bits must not depend on the thread count, and every output
// element must be written (the output starts as NaN).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

function split(name: string, args: (outs: number[]) => number[], outs: Tensor[], nthreads: number): Float32Array[] {
  for (const o of outs) o.view().fill(NaN);
  const fn = backend().kernels[name];
  const a = args(outs.map((o) => o.ptr()));
  for (let tid = 0; tid < nthreads; tid++) fn(...a, tid, nthreads);
  return outs.map((o) => o.toFloat32Array());
}

function expectThreadIndependent(name: string, outShapes: number[][], args: (outs: number[]) => number[]): void {
  const outs = outShapes.map((s) => sn.zeros(s));
  const one = split(name, args, outs, 1);
  for (const o of one) expect(Array.from(o).some(Number.isNaN), `${name}: an output was not written`).toBe(false);
  for (const n of [2, 3, 5]) {
    const many = split(name, args, outs, n);
    many.forEach((m, i) => expect(bitsEqual(m, one[i]), `${name} with ${n} threads, output ${i}`).toBe(true));
  }
}

describe('kernels split over threads', () => {
  const shape = [3, 5, 7, 3]; // 315 values: uneven splits and tails everywhere
  const n = 315;
  let x: Tensor, g: Tensor, pos: Tensor;
  beforeAll(() => {
    x = sn.tensor(randomArray(n, 1).map((v) => v * 4), shape);
    g = sn.tensor(randomArray(n, 2), shape);
    pos = sn.tensor(randomArray(n, 3).map((v) => v * 0.4 + 0.5), shape); // in (0, 1), like an output
  });

  it('gemvRows (batch-1 linear) and addReluInPlace', () => {
    for (const [N, K] of [[13, 37], [8, 16], [3, 9]]) {
      const w = sn.tensor(randomArray(N * K, 4), [N, K]);
      const xv = sn.tensor(randomArray(K, 5), [K]);
      const b = sn.tensor(randomArray(N, 6), [N]);
      expectThreadIndependent('gemvRows', [[N]], ([o]) => [w.ptr(), xv.ptr(), b.ptr(), o, N, K]);
    }
    // affinePlanesInPlace over [3·5 planes, 21]: scale+shift, bias, residual, ReLU.
    const sc = sn.tensor(randomArray(5, 7), [5]);
    const sh = sn.tensor(randomArray(5, 8), [5]);
    for (const [scale, shift, src, relu] of [[sc, sh, g, 1], [null, sh, null, 1], [null, null, g, 1], [sc, sh, null, 0]] as const) {
      expectThreadIndependent('affinePlanesInPlace', [shape], ([o]) => {
        backend().heap.f32.set(x.view(), o >>> 2); // in place: start from x's values
        return [o, 15, 5, 21, scale ? scale.ptr() : 0, shift ? shift.ptr() : 0, src ? src.ptr() : 0, relu];
      });
    }
    const acc = sn.zeros(shape);
    const fn = backend().kernels.addReluInPlace;
    const one = sn.tidy(() => { acc.view().set(x.view()); fn(acc.ptr(), g.ptr(), n, 0, 1); return acc.toFloat32Array(); });
    for (const t of [2, 3, 5]) {
      acc.view().set(x.view());
      for (let tid = 0; tid < t; tid++) fn(acc.ptr(), g.ptr(), n, tid, t);
      expect(bitsEqual(acc.toFloat32Array(), one)).toBe(true);
    }
  });
  it('dropout', () => expectThreadIndependent('dropout', [shape], ([o]) => [x.ptr(), o, n, 1234, 8388608, 2]));
  it('add with broadcast, its reduction, and row copies', () => {
    const b7 = sn.tensor(randomArray(21, 6), [21]);
    expectThreadIndependent('addRepeat', [shape], ([o]) => [x.ptr(), b7.ptr(), o, n, 21]);
    expectThreadIndependent('addRepeat', [shape], ([o]) => [x.ptr(), b7.ptr(), o, n, 1]);
    expectThreadIndependent('sumRepeat', [[21]], ([o]) => [g.ptr(), o, 15, 21]);
    expectThreadIndependent('copyRows', [[3, 5, 21]], ([o]) => [x.ptr(), o, 15, 21, 21, 21]);
  });
});
