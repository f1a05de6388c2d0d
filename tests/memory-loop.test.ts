// A 1,000-step training-like loop, each step in sn.tidy: after the first steps
// the wasm memory and the heap's live and peak bytes must not grow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../src/index.js';
import { backend } from '../src/runtime/backend.js';
import type { Tensor } from '../src/tensor.js';
import { randomArray } from './helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());
const F = sn.F;

describe('memory in a training loop', () => {
  it('stays flat over 1,000 tidy steps (linear → batchNorm → relu → dropout → linear, squared error, SGD)', () => {
    const N = 32, IN = 8, H = 16, OUT = 4;
    const param = (data: Float32Array, shape: number[]) => sn.tensor(data, shape, { requiresGrad: true });
    const w1 = param(randomArray(H * IN, 1).map((v) => v * 0.5), [H, IN]);
    const b1 = param(new Float32Array(H), [H]);
    const gamma = param(new Float32Array(H).fill(1), [H]);
    const beta = param(new Float32Array(H), [H]);
    const w2 = param(randomArray(OUT * H, 2).map((v) => v * 0.3), [OUT, H]);
    const b2 = param(new Float32Array(OUT), [OUT]);
    const params = [w1, b1, gamma, beta, w2, b2];
    const runMean = sn.zeros([H]);
    const runVar = sn.ones([H]);
    const X = sn.tensor(randomArray(N * IN, 3), [N, IN]);
    // Targets from a fixed random linear map; the loss adds -T.
    const A = randomArray(OUT * IN, 4);
    const xv = X.toFloat32Array();
    const negT = new Float32Array(N * OUT);
    for (let i = 0; i < N; i++) for (let o = 0; o < OUT; o++) {
      let s = 0;
      for (let k = 0; k < IN; k++) s += A[o * IN + k] * xv[i * IN + k];
      negT[i * OUT + o] = -Math.tanh(s);
    }
    const minusT = sn.tensor(negT, [N, OUT]);
    const lr = 0.01;

    const step = (i: number): number => sn.tidy(() => {
      const h = F.linear(X, w1, b1);
      const hn = F.batchNorm(h, runMean, runVar, gamma, beta, { training: true });
      const a = F.dropout(F.relu(hn), { p: 0.1, seed: i });
      const y = F.linear(a, w2, b2);
      const d = F.add(y, minusT);
      const loss = sn.matmul(d.reshape([1, N * OUT]), d.reshape([N * OUT, 1])); // Σ d²
      loss.backward();
      sn.noGrad(() => {
        for (const p of params) {
          const pv = p.view();
          const gv = p.grad!.view();
          for (let k = 0; k < pv.length; k++) pv[k] -= lr * gv[k];
          p.grad!.dispose();
          p.grad = null;
        }
      });
      return loss.item();
    });

    const heap = () => backend().heap.stats();
    let first = 0;
    for (let i = 0; i < 5; i++) first = step(i);
    const memory = sn.backendInfo().memoryBytes;
    const { liveBytes, peakBytes } = heap();
    let last = 0;
    for (let i = 5; i < 1000; i++) {
      last = step(i);
      if (i % 100 === 0) {
        expect(sn.backendInfo().memoryBytes, `memory at step ${i}`).toBe(memory);
        expect(heap().liveBytes, `live bytes at step ${i}`).toBe(liveBytes);
        expect(heap().peakBytes, `peak bytes at step ${i}`).toBe(peakBytes);
      }
    }
    expect(sn.backendInfo().memoryBytes).toBe(memory);
    expect(heap().liveBytes).toBe(liveBytes);
    expect(heap().peakBytes).toBe(peakBytes);
    expect(last).toBeLessThan(first / 2); // it trained
  });
});
