// The functional ops on the real worker pool: outputs and gradients for 1, 2
// and 3 threads must be bit-identical (sizes above the one-thread cut-off of 65,536).
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterAll(() => sn.shutdown());
const F = sn.F;

type Case = [string, number[], (x: Tensor) => Tensor];
const CASES: Case[] = [
  ['relu', [4, 16, 33, 33], (x) => F.relu(x)],
  ['tanh', [4, 16, 33, 33], (x) => F.tanh(x)],
  ['sigmoid', [4, 16, 33, 33], (x) => F.sigmoid(x)],
  ['softmax dim 1', [4, 16, 33, 33], (x) => F.softmax(x, 1)],
  ['logSoftmax dim -1', [640, 131], (x) => F.logSoftmax(x, -1)],
  ['dropout', [4, 16, 33, 33], (x) => F.dropout(x, { p: 0.3, seed: 5 })],
  ['localResponseNorm', [4, 16, 33, 33], (x) => F.localResponseNorm(x, { size: 5, alpha: 0.1, k: 2 })],
  ['localResponseNorm beta 0.6', [4, 16, 33, 33], (x) => F.localResponseNorm(x, { size: 4, alpha: 0.1, beta: 0.6 })],
  ['batchNorm training', [4, 16, 33, 33], (x) => F.batchNorm(x, sn.zeros([16]), sn.ones([16]), sn.full([16], 1.5, { requiresGrad: true }), sn.full([16], 0.1, { requiresGrad: true }), { training: true })],
  ['batchNorm eval', [4, 16, 33, 33], (x) => F.batchNorm(x, sn.full([16], 0.2), sn.full([16], 3), sn.full([16], 1.5, { requiresGrad: true }), null)],
  ['add broadcast', [4, 16, 33, 33], (x) => F.add(x, sn.tensor(randomArray(33 * 33, 9), [33, 33], { requiresGrad: true }))],
  ['concat', [4, 16, 33, 33], (x) => F.concat([x, F.relu(x)], 1)],
];

/** Output and input-gradient bits of every case on a pool of `threads`. */
async function run(threads: number): Promise<Float32Array[][]> {
  sn.shutdown();
  vi.spyOn(console, 'warn').mockImplementation(() => {}); // more threads than cores
  await sn.init({ threads });
  expect(sn.backendInfo().threads).toBe(threads);
  const res = CASES.map(([, shape, f]) => sn.tidy(() => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = sn.tensor(randomArray(n, 1).map((v) => v * 3), shape, { requiresGrad: true });
    const y = f(x);
    y.backward(sn.tensor(randomArray(y.size, 2), y.shape));
    const r = [y.toFloat32Array(), x.grad!.toFloat32Array()];
    x.grad!.dispose();
    return r;
  }));
  sn.shutdown();
  return res;
}

describe('sn.F on the worker pool', () => {
  it('gives the same bits for 1, 2 and 3 threads', async () => {
    const one = await run(1);
    for (const threads of [2, 3]) {
      const many = await run(threads);
      CASES.forEach(([name], i) => {
        expect(bitsEqual(many[i][0], one[i][0]), `${name} output, ${threads} threads`).toBe(true);
        expect(bitsEqual(many[i][1], one[i][1]), `${name} gradient, ${threads} threads`).toBe(true);
      });
    }
  });
});
