// N-D matmul (one GEMM per batch entry, or one folded GEMM), einsum and cat on
// the real worker pool: outputs and both gradients bit-identical for 1, 2 and
// 3 threads, at sizes above the GEMM's one-thread cut-off.
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterAll(() => sn.shutdown());

type Case = [string, number[], number[], (a: Tensor, b: Tensor) => Tensor];
const CASES: Case[] = [
  ['batch broadcast', [2, 1, 64, 48], [3, 48, 80], (a, b) => sn.matmul(a, b)],
  ['folded batch', [4, 64, 96], [96, 80], (a, b) => sn.matmul(a, b)],
  ['vector · batch', [96], [5, 96, 300], (a, b) => sn.matmul(a, b)],
  ['einsum attention', [2, 2, 64, 32], [2, 2, 80, 32], (a, b) => sn.einsum('bhqd,bhkd->bhqk', a, b)],
  ['permute + pad + cat', [4, 16, 33, 33], [4, 16, 33, 33], (a, b) => sn.cat([sn.permute(a, [0, 2, 3, 1]), sn.F.pad(sn.permute(b, [0, 2, 3, 1]), [0, 0])], 1)],
];

async function run(threads: number): Promise<Float32Array[][]> {
  sn.shutdown();
  vi.spyOn(console, 'warn').mockImplementation(() => {}); // more threads than cores
  await sn.init({ threads });
  expect(sn.backendInfo().threads).toBe(threads);
  const res = CASES.map(([, sa, sb, f], i) => sn.tidy(() => {
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const a = sn.tensor(randomArray(size(sa), 10 + i), sa, { requiresGrad: true });
    const b = sn.tensor(randomArray(size(sb), 20 + i), sb, { requiresGrad: true });
    const y = f(a, b);
    y.backward(sn.tensor(randomArray(y.size, 30 + i), y.shape));
    return [y.toFloat32Array(), a.grad!.toFloat32Array(), b.grad!.toFloat32Array()];
  }));
  sn.shutdown();
  return res;
}

describe('shape ops on the worker pool', () => {
  it('gives the same bits for 1, 2 and 3 threads', async () => {
    const one = await run(1);
    for (const threads of [2, 3]) {
      const many = await run(threads);
      CASES.forEach(([name], i) => one[i].forEach((v, k) => expect(bitsEqual(many[i][k], v), `${name}, output ${k}, ${threads} threads`).toBe(true)));
    }
  }, 120_000);
});
