// The LRN tester's table (lrn.test.ts runs it with tester.ts): local response
// normalisation across channels, PyTorch's convention (window ⌊size/2⌋ before,
// ⌊(size−1)/2⌋ after, alpha/size), forward and both backward passes, split over
// the whole pool, against float64. Sizes cover odd and even windows, windows
// wider than C, β = 0.75 (its own fast power) and others, and S with vector
// blocks and a tail.
import * as sn from '../../src/index.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { randomArray } from '../helpers.js';
import { nanTensor, type KernelCase, type KernelFamily } from './family.js';

export interface LrnRow { shape: [number, number, number]; size: number; alpha: number; beta: number; k: number }

export const LRN_ROWS: LrnRow[] = [
  { shape: [2, 6, 21], size: 5, alpha: 5e-4, beta: 0.75, k: 2 },
  { shape: [2, 6, 21], size: 2, alpha: 0.3, beta: 0.75, k: 1 },
  { shape: [2, 6, 21], size: 3, alpha: 1, beta: 0.5, k: 0.5 },
  { shape: [2, 6, 21], size: 8, alpha: 0.2, beta: 1.2, k: 1 },
  { shape: [3, 5, 21], size: 3, alpha: 0.5, beta: 0.75, k: 1 },
  { shape: [3, 5, 21], size: 4, alpha: 0.5, beta: 0.6, k: 1 },
  { shape: [1, 16, 37], size: 5, alpha: 1e-4, beta: 0.75, k: 1 }, // AlexNet's
];

function lrnCase(r: LrnRow, seed: number): KernelCase {
  const [N, C, S] = r.shape;
  const { size, alpha, beta, k } = r;
  const n = N * C * S;
  const x = randomArray(n, seed).map((v) => v * 3);
  const g = randomArray(n, seed + 1);
  return {
    name: `[${r.shape}] size ${size} alpha ${alpha} beta ${beta} k ${k}`,
    tol: { atol: 1e-6, rtol: 2e-6 },
    run: () => {
      const [xt, gt] = [sn.tensor(x, [n]), sn.tensor(g, [n])];
      const [out, gx, scratch] = [nanTensor([n]), nanTensor([n]), nanTensor([n])];
      const dims = { N, C, S, size, alpha, beta };
      kernels.lrnForward({ x: xt.ptr(), out: out.ptr(), ...dims, k });
      // Two calls: pass 2 reads pass 1's results from neighbouring channels (other threads' rows).
      kernels.lrnBackward1({ x: xt.ptr(), g: gt.ptr(), gx: gx.ptr(), scratch: scratch.ptr(), ...dims, k });
      kernels.lrnBackward2({ x: xt.ptr(), gx: gx.ptr(), scratch: scratch.ptr(), ...dims });
      return [out.toFloat32Array(), gx.toFloat32Array()];
    },
    reference: () => {
      const at = (b: number, c: number, s: number) => (b * C + c) * S + s;
      const lo = Math.floor(size / 2), hi = Math.floor((size - 1) / 2);
      const d = new Float64Array(n), y = new Float64Array(n), gx = new Float64Array(n);
      for (let b = 0; b < N; b++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) {
        let sum = 0;
        for (let cc = Math.max(0, c - lo); cc <= Math.min(C - 1, c + hi); cc++) sum += x[at(b, cc, s)] ** 2;
        d[at(b, c, s)] = k + (alpha / size) * sum;
        y[at(b, c, s)] = x[at(b, c, s)] * d[at(b, c, s)] ** -beta;
      }
      // dx_j = g_j·d_j^−β − (2αβ/size)·x_j·Σ_{c whose window holds j} g_c·x_c·d_c^(−β−1)
      for (let b = 0; b < N; b++) for (let j = 0; j < C; j++) for (let s = 0; s < S; s++) {
        let sum = 0;
        for (let c = Math.max(0, j - hi); c <= Math.min(C - 1, j + lo); c++) {
          const i = at(b, c, s);
          sum += g[i] * x[i] * d[i] ** (-beta - 1);
        }
        const i = at(b, j, s);
        gx[i] = g[i] * d[i] ** -beta - ((2 * alpha * beta) / size) * x[i] * sum;
      }
      return [y, gx];
    },
  };
}

export const LRN_FAMILY: KernelFamily = {
  name: 'LRN',
  module: import.meta.url,
  exportName: 'LRN_FAMILY',
  cases: () => LRN_ROWS.map((r, i) => lrnCase(r, 70 + 2 * i)),
};
