import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { maxRelErr, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('F.linear', () => {
  it('computes x·Wᵀ + b and its gradients', () => {
    const x = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
    const w = sn.tensor([1, 0, -1, 2, 1, 0], [2, 3], { requiresGrad: true });
    const b = sn.tensor([0.5, -1], [2], { requiresGrad: true });
    const y = sn.F.linear(x, w, b);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.toFloat32Array())).toEqual([1 - 3 + 0.5, 2 + 2 - 1, 4 - 6 + 0.5, 8 + 5 - 1]);
    y.backward(sn.tensor([1, 2, 3, 4], [2, 2]));
    // dx = g·W
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([1 + 4, 2, -1, 3 + 8, 4, -3]);
    // dW = gᵀ·x
    expect(Array.from(w.grad!.toFloat32Array())).toEqual([1 + 12, 2 + 15, 3 + 18, 2 + 16, 4 + 20, 6 + 24]);
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([4, 6]);
  });

  it('one row (the streaming GEMV path) equals a float64 reference and the GEMM path', () => {
    for (const [N, K] of [[1, 1], [5, 7], [8, 16], [13, 37], [64, 300]]) {
      const w = sn.tensor(randomArray(N * K, 1), [N, K]);
      const b = sn.tensor(randomArray(N, 2), [N]);
      const xs = randomArray(3 * K, 3);
      for (const bias of [b, null]) {
        const one = sn.F.linear(sn.tensor(xs.subarray(0, K), [1, K]), w, bias).toFloat32Array();
        const three = sn.F.linear(sn.tensor(xs, [3, K]), w, bias).toFloat32Array().subarray(0, N); // GEMM, row 0
        const ref = new Float64Array(N);
        const wv = w.toFloat32Array();
        for (let n = 0; n < N; n++) {
          let s = bias ? b.toFloat32Array()[n] : 0;
          for (let k = 0; k < K; k++) s += wv[n * K + k] * xs[k];
          ref[n] = s;
        }
        expect(maxRelErr(one, ref, 1e-5, 1e-5), `[${N}, ${K}]`).toBeLessThanOrEqual(1);
        expect(maxRelErr(one, three, 1e-5, 1e-5), `[${N}, ${K}] vs GEMM`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('works without bias and with leading dimensions', () => {
    const x = sn.tensor([1, 2, 3, 4], [2, 1, 2]);
    const w = sn.tensor([1, 1], [1, 2]);
    const y = sn.F.linear(x, w, null);
    expect(y.shape).toEqual([2, 1, 1]);
    expect(Array.from(y.toFloat32Array())).toEqual([3, 7]);
  });

  it('gradients accumulate over two backward passes', () => {
    const x = sn.tensor([1, 2], [1, 2]);
    const w = sn.tensor([3, 4], [1, 2], { requiresGrad: true });
    sn.F.linear(x, w).backward(sn.tensor([1], [1, 1]));
    sn.F.linear(x, w).backward(sn.tensor([1], [1, 1]));
    expect(Array.from(w.grad!.toFloat32Array())).toEqual([2, 4]);
  });

  it('rejects mismatched shapes', () => {
    const x = sn.tensor([1, 2, 3], [1, 3]);
    const w = sn.tensor([1, 2, 3, 4], [2, 2]);
    expect(() => sn.F.linear(x, w)).toThrow(/linear: input features 3 \(input \[1,3\]\) differ from weight \[2,2\]/);
    expect(() => sn.F.linear(x, sn.tensor([1, 2, 3], [1, 3]), sn.tensor([1, 2], [2]))).toThrow(/bias must be \[1\], got \[2\]/);
  });
});

describe('F.linear gradcheck', () => {
  it('matches finite differences', () => {
    const r = gradcheck((x, w, b) => sn.F.linear(x, w, b), [
      { data: randomArray(12, 1), shape: [3, 4] },
      { data: randomArray(20, 2), shape: [5, 4] },
      { data: randomArray(5, 3), shape: [5] },
    ]);
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });
});
