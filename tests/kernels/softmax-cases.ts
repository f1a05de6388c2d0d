// The softmax tester's table (softmax.test.ts runs it with tester.ts): softmax
// and log-softmax along D of [outer, D, inner] (rows, columns, one long row,
// vector blocks and tails), forward and backward, and the cross-entropy kernels
// built on them (class-index and probability targets, label smoothing, the
// target's gradient), split over the whole pool, against float64.
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { randomArray } from '../helpers.js';
import { nanTensor, type KernelCase, type KernelFamily } from './family.js';

const f = Math.fround;
const TOL = { atol: 1e-6, rtol: 1e-5 };

/** softmax (or log-softmax) of x along D of [outer, D, inner], in float64. */
export function softmaxReference(x: ArrayLike<number>, outer: number, D: number, inner: number, log: boolean): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
    const at = (d: number) => (o * D + d) * inner + j;
    let m = -Infinity;
    for (let d = 0; d < D; d++) m = Math.max(m, x[at(d)]);
    let s = 0;
    for (let d = 0; d < D; d++) s += Math.exp(x[at(d)] - m);
    for (let d = 0; d < D; d++) out[at(d)] = log ? x[at(d)] - m - Math.log(s) : Math.exp(x[at(d)] - m) / s;
  }
  return out;
}

const SHAPES: [number, number, number][] = [[3, 5, 21], [105, 3, 1], [1, 315, 1], [1, 3, 105], [4, 1000, 1], [2, 7, 9]];

function softmaxCase([outer, D, inner]: [number, number, number], isLog: number, seed: number): KernelCase {
  const n = outer * D * inner;
  const x = randomArray(n, seed).map((v) => v * 8);
  const y = Float32Array.from(softmaxReference(x, outer, D, inner, !!isLog)); // the backward's input: a float32 forward output
  const g = randomArray(n, seed + 1);
  return {
    name: `${isLog ? 'log-softmax' : 'softmax'} [${outer}, ${D}, ${inner}]`,
    tol: TOL,
    run: () => {
      const [xt, yt, gt] = [x, y, g].map((d) => sn.tensor(d, [n]));
      const [out, gx] = [nanTensor([n]), nanTensor([n])];
      kernels.softmaxForward({ x: xt.ptr(), out: out.ptr(), outer, D, inner, isLog });
      kernels.softmaxBackward({ y: yt.ptr(), g: gt.ptr(), gx: gx.ptr(), outer, D, inner, isLog });
      return [out.toFloat32Array(), gx.toFloat32Array()];
    },
    reference: () => {
      const gx = new Float64Array(n);
      for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
        const at = (d: number) => (o * D + d) * inner + j;
        let s = 0;
        for (let d = 0; d < D; d++) s += isLog ? g[at(d)] : g[at(d)] * y[at(d)];
        // softmax: y·(g − Σ g·y); log-softmax: g − e^y·Σ g
        for (let d = 0; d < D; d++) gx[at(d)] = isLog ? g[at(d)] - Math.exp(y[at(d)]) * s : y[at(d)] * (g[at(d)] - s);
      }
      return [softmaxReference(x, outer, D, inner, !!isLog), gx];
    },
  };
}

/**
 * Cross-entropy rows of logits [rows, C] (values in ±scale): class indices
 * (`soft` false; `labels`, or spread over the classes) or probability targets, label smoothing eps.
 */
function crossEntropyCase(rows: number, C: number, soft: boolean, eps: number, seed: number, scale = 10, labels?: number[]): KernelCase {
  const x = randomArray(rows * C, seed).map((v) => v * scale);
  const target = soft ? randomArray(rows * C, seed + 1).map(Math.abs) : Int32Array.from({ length: rows }, (_, r) => labels?.[r] ?? (r * 7 + seed) % C);
  const logp = Float32Array.from(softmaxReference(x, rows, C, 1, true));
  const g = randomArray(rows, seed + 2);
  const t = (r: number, c: number) => (1 - f(eps)) * (soft ? target[r * C + c] : +(target[r] === c)) + f(eps) / C;
  return {
    name: `crossEntropy ${rows}x${C}, ${soft ? 'probability' : 'class-index'} target, label smoothing ${eps}`,
    tol: TOL,
    run: () => {
      const [xt, lt, gt0] = [x, logp, g].map((d) => sn.tensor(d, [d.length]));
      const tt = sn.zeros([target.length]);
      if (soft) tt.view().set(target);
      else backend().heap.i32.set(target, tt.ptr() >>> 2); // int32 bits in a float tensor's memory, as crossEntropy does
      const [lp, loss, gx, gtg] = [nanTensor([rows * C]), nanTensor([rows]), nanTensor([rows * C]), nanTensor([rows * C])];
      const targets = { soft: soft ? tt.ptr() : 0, idx: soft ? 0 : tt.ptr() };
      kernels.crossEntropyForward({ x: xt.ptr(), ...targets, logp: lp.ptr(), loss: loss.ptr(), rows, C, eps });
      kernels.crossEntropyBackward({ logp: lt.ptr(), ...targets, g: gt0.ptr(), gstride: 1, scale: 0.5, gx: gx.ptr(), gt: soft ? gtg.ptr() : 0, rows, C, eps });
      return [lp, loss, gx, ...(soft ? [gtg] : [])].map((o) => o.toFloat32Array());
    },
    reference: () => {
      const ref = softmaxReference(x, rows, C, 1, true);
      const loss = new Float64Array(rows), gx = new Float64Array(rows * C), gtg = new Float64Array(rows * C);
      for (let r = 0; r < rows; r++) {
        let tsum = 0;
        for (let c = 0; c < C; c++) { loss[r] -= t(r, c) * ref[r * C + c]; tsum += t(r, c); }
        const gr = g[r] * 0.5;
        for (let c = 0; c < C; c++) {
          gx[r * C + c] = gr * (tsum * Math.exp(logp[r * C + c]) - t(r, c));
          gtg[r * C + c] = -gr * (1 - f(eps)) * logp[r * C + c];
        }
      }
      return [ref, loss, gx, ...(soft ? [gtg] : [])];
    },
  };
}

export const SOFTMAX_FAMILY: KernelFamily = {
  name: 'softmax',
  module: import.meta.url,
  exportName: 'SOFTMAX_FAMILY',
  cases: () => [
    ...SHAPES.flatMap((s, i) => [0, 1].map((isLog) => softmaxCase(s, isLog, 60 + 4 * i + 2 * isLog))),
    crossEntropyCase(13, 10, false, 0, 90), crossEntropyCase(13, 10, false, 0.1, 91),
    crossEntropyCase(7, 37, true, 0, 92), crossEntropyCase(7, 37, true, 0.2, 93), crossEntropyCase(3, 1000, false, 0.05, 94),
    // many classes, logits ±20, labels at both ends and in the vector tail (SIMD exp/log path)
    crossEntropyCase(5, 1003, false, 0, 95, 20, [0, 1002, 500, 7, 999]),
  ],
};
