// The batch norm tester's table (batchnorm.test.ts runs it with tester.ts): the
// kernels in the order F.batchNorm runs them (statistics, apply, backward
// reduce, backward input), split over the whole pool, against float64:
// training (batch statistics, running statistics updated) and evaluation, with
// and without affine parameters, and the ReLU-masked backward that fuses
// relu(batchNorm(x))'s backward into the batch norm passes.
import * as sn from '../../src/index.js';
import { affineCoefficients } from '../../src/ops/batchnorm.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { randomArray } from '../helpers.js';
import { nanTensor, type KernelCase, type KernelFamily } from './family.js';

export interface BnRow { shape: number[]; training: boolean; affine: boolean; relu: boolean }

const EPS = 1e-5, MOMENTUM = 0.1;

export const BN_ROWS: BnRow[] = [
  ...[[3, 5, 7, 3], [2, 4, 19, 17], [6, 9], [4, 3, 40, 33]].flatMap((shape) =>
    [true, false].flatMap((training) => [false, true].map((relu) => ({ shape, training, affine: true, relu })))),
  { shape: [3, 5, 7, 3], training: true, affine: false, relu: false },
  { shape: [3, 5, 7, 3], training: true, affine: false, relu: true },
  { shape: [2, 4, 19, 17], training: false, affine: false, relu: true },
];

function data(r: BnRow, seed: number) {
  const [N, C] = r.shape;
  const S = r.shape.slice(2).reduce((a, b) => a * b, 1);
  return {
    N, C, S,
    x: randomArray(N * C * S, seed).map((v) => v * 3 + 0.2),
    w: randomArray(C, seed + 1).map((v) => v + 0.5),
    b: randomArray(C, seed + 2),
    rm: randomArray(C, seed + 3),
    rv: randomArray(C, seed + 4).map((v) => v + 1.5),
    g: randomArray(N * C * S, seed + 5),
  };
}

/** [y, mean, invstd, runningMean, runningVar, gx, gw, gb] (gw, gb only with affine parameters). */
function run(r: BnRow, seed: number): Float32Array[] {
  const { N, C, S, x: xd, w: wd, b: bd, rm: rmd, rv: rvd, g: gd } = data(r, seed);
  const [x, g, rm, rv] = [sn.tensor(xd, r.shape), sn.tensor(gd, r.shape), sn.tensor(rmd, [C]), sn.tensor(rvd, [C])];
  const w = r.affine ? sn.tensor(wd, [C]) : null, b = r.affine ? sn.tensor(bd, [C]) : null;
  // saved = [mean, invstd, a, sh] per channel, as F.batchNorm keeps them.
  const saved = nanTensor([4 * C]);
  const mean = saved.ptr(), invstd = mean + 4 * C, aff = mean + 8 * C;
  if (r.training) kernels.bnStats({ x: x.ptr(), N, C, S, eps: EPS, mean, invstd, runMean: rm.ptr(), runVar: rv.ptr(), momentum: MOMENTUM });
  else kernels.bnEvalStats({ runMean: rm.ptr(), runVar: rv.ptr(), C, eps: EPS, mean, invstd });
  const y = nanTensor(r.shape);
  kernels.bnApply({ x: x.ptr(), y: y.ptr(), N, C, S, mean, invstd, w: w ? w.ptr() : 0, b: b ? b.ptr() : 0 });
  affineCoefficients(saved, C, w, b);
  const [gx, gw, gb, sums] = [nanTensor(r.shape), nanTensor([C]), nanTensor([C]), nanTensor([2 * C])];
  const common = { x: x.ptr(), g: g.ptr(), N, C, S, mean, invstd, sums: sums.ptr(), gw: w ? gw.ptr() : 0, gb: b ? gb.ptr() : 0 };
  if (r.relu) kernels.bnReluBackwardReduce({ ...common, aff });
  else kernels.bnBackwardReduce(common);
  const input = { x: x.ptr(), g: g.ptr(), gx: gx.ptr(), N, C, S, mean, invstd, w: w ? w.ptr() : 0, sums: sums.ptr(), training: r.training ? 1 : 0 };
  if (r.relu) kernels.bnReluBackwardInput({ ...input, aff });
  else kernels.bnBackwardInput(input);
  const st = saved.toFloat32Array();
  return [y, st.subarray(0, C), st.subarray(C, 2 * C), rm, rv, gx, ...(r.affine ? [gw, gb] : [])].map((t) => (t instanceof Float32Array ? t.slice() : t.toFloat32Array()));
}

function reference(r: BnRow, seed: number): ArrayLike<number>[] {
  const { N, C, S, x, w, b, rm, rv, g } = data(r, seed);
  const f = Math.fround;
  const M = N * S;
  const at = (n: number, c: number, s: number) => (n * C + c) * S + s;
  const [mean, invstd, rmOut, rvOut] = [new Float64Array(C), new Float64Array(C), Float64Array.from(rm), Float64Array.from(rv)];
  const y = new Float64Array(x.length), gx = new Float64Array(x.length), gw = new Float64Array(C), gb = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let m = rm[c], v = rv[c];
    if (r.training) {
      m = 0;
      for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) m += x[at(n, c, s)] / M;
      v = 0;
      for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) v += (x[at(n, c, s)] - m) ** 2 / M;
      rmOut[c] = (1 - MOMENTUM) * rm[c] + MOMENTUM * m;
      rvOut[c] = (1 - MOMENTUM) * rv[c] + MOMENTUM * v * M / (M - 1); // the running variance is unbiased
    }
    mean[c] = m;
    invstd[c] = 1 / Math.sqrt(v + EPS);
    const wc = r.affine ? w[c] : 1, bc = r.affine ? b[c] : 0;
    // The ReLU mask from the float32 output, as the forward rounded it (the kernels rebuild it the same way).
    const a = f(wc * f(invstd[c])), sh = f(bc - f(f(m) * a));
    const dy = (i: number) => (!r.relu || f(f(x[i] * a) + sh) > 0 ? g[i] : 0);
    let sg = 0, sgx = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
      const i = at(n, c, s);
      const xhat = (x[i] - m) * invstd[c];
      y[i] = xhat * wc + bc;
      sg += dy(i);
      sgx += dy(i) * xhat;
    }
    gw[c] = sgx;
    gb[c] = sg;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
      const i = at(n, c, s);
      const xhat = (x[i] - m) * invstd[c];
      gx[i] = r.training ? (wc * invstd[c] / M) * (M * dy(i) - sg - xhat * sgx) : dy(i) * wc * invstd[c];
    }
  }
  return [y, mean, invstd, rmOut, rvOut, gx, ...(r.affine ? [gw, gb] : [])];
}

const label = (r: BnRow) => `${JSON.stringify(r.shape)} ${r.training ? 'training' : 'eval'}${r.affine ? '' : ' no affine'}${r.relu ? ', ReLU-masked backward' : ''}`;

export const BN_FAMILY: KernelFamily = {
  name: 'batch norm',
  module: import.meta.url,
  exportName: 'BN_FAMILY',
  cases: () => BN_ROWS.map((r, i): KernelCase => ({
    name: label(r),
    run: () => run(r, 30 + 6 * i),
    reference: () => reference(r, 30 + 6 * i),
    // gx, gw, gb sum over N·S values: absolute tolerance in proportion.
    tol: [1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-4, 1e-4, 1e-4].map((atol) => ({ atol, rtol: 1e-4 })),
  })),
};
