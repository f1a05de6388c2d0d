// The optimizer tester's table (optim.test.ts runs it with tester.ts): one
// update of the fused SGD and Adam/AdamW kernels (every flag combination:
// weight decay, momentum first step and later steps, dampening, Nesterov; L2 or
// decoupled decay, AMSGrad), on n values split over the whole pool, against
// PyTorch 1.13's update in float64 (tests/optim/ replays PyTorch's own
// trajectories bit for bit).
import * as sn from '../../src/index.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import {
  ADAM_AMSGRAD, ADAM_DECAY, ADAM_DECOUPLED, SGD_DECAY, SGD_FIRST, SGD_MOMENTUM, SGD_NESTEROV,
} from '../../src/runtime/kernel-table.generated.js';
import { randomArray } from '../helpers.js';
import type { KernelCase, KernelFamily } from './family.js';

const f = Math.fround;
const TOL = { atol: 1e-6, rtol: 1e-6 };
const SIZES = [1, 7, 1003];

interface SgdRow { lr: number; wd: number; mom: number; damp: number; flags: number }
export const SGD_ROWS: SgdRow[] = [
  { lr: 0.1, wd: 0, mom: 0, damp: 0, flags: 0 },
  { lr: 0.05, wd: 1e-3, mom: 0, damp: 0, flags: SGD_DECAY },
  { lr: 0.1, wd: 5e-4, mom: 0.9, damp: 0, flags: SGD_DECAY | SGD_MOMENTUM | SGD_FIRST },
  { lr: 0.1, wd: 5e-4, mom: 0.9, damp: 0, flags: SGD_DECAY | SGD_MOMENTUM },
  { lr: 0.1, wd: 0, mom: 0.8, damp: 0.3, flags: SGD_MOMENTUM },
  { lr: 0.1, wd: 1e-3, mom: 0.9, damp: 0, flags: SGD_DECAY | SGD_MOMENTUM | SGD_NESTEROV | SGD_FIRST },
  { lr: 0.1, wd: 0, mom: 0.9, damp: 0, flags: SGD_MOMENTUM | SGD_NESTEROV },
];

interface AdamRow { lr: number; b1: number; b2: number; eps: number; wd: number; step: number; flags: number }
export const ADAM_ROWS: AdamRow[] = [
  { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, step: 1, flags: 0 },
  { lr: 1e-2, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.1, step: 3, flags: ADAM_DECAY },
  { lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 1e-2, step: 5, flags: ADAM_DECOUPLED },
  { lr: 1e-2, b1: 0.9, b2: 0.5, eps: 1e-8, wd: 0.1, step: 2, flags: ADAM_DECAY | ADAM_AMSGRAD },
  { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 1e-2, step: 4, flags: ADAM_DECOUPLED | ADAM_AMSGRAD },
];

const flagNames = (flags: number, names: [number, string][]) => names.filter(([bit]) => flags & bit).map(([, s]) => s).join('+') || 'plain';

function sgdCase(r: SgdRow, n: number, seed: number): KernelCase {
  const [p, g, buf] = [randomArray(n, seed), randomArray(n, seed + 1), randomArray(n, seed + 2).map((v) => v * 0.5)];
  const momentum = (r.flags & SGD_MOMENTUM) !== 0;
  return {
    name: `sgdStep ${flagNames(r.flags, [[SGD_DECAY, 'decay'], [SGD_MOMENTUM, 'momentum'], [SGD_FIRST, 'first'], [SGD_NESTEROV, 'nesterov']])} damp ${r.damp}, n ${n}`,
    tol: TOL,
    run: () => {
      const [pt, gt, bt] = [p, g, buf].map((d) => sn.tensor(d, [n]));
      kernels.sgdStep({ p: pt.ptr(), g: gt.ptr(), buf: momentum ? bt.ptr() : 0, n, negLr: -r.lr, wd: r.wd, mom: r.mom, damp1: 1 - r.damp, flags: r.flags });
      return [pt.toFloat32Array(), ...(momentum ? [bt.toFloat32Array()] : [])];
    },
    reference: () => {
      const [lr, wd, mom, damp1] = [f(r.lr), f(r.wd), f(r.mom), f(1 - r.damp)];
      const pOut = new Float64Array(n), bOut = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let d = g[i] + (r.flags & SGD_DECAY ? wd * p[i] : 0);
        if (momentum) {
          const b = r.flags & SGD_FIRST ? d : mom * buf[i] + damp1 * d;
          bOut[i] = b;
          d = r.flags & SGD_NESTEROV ? d + mom * b : b;
        }
        pOut[i] = p[i] - lr * d;
      }
      return [pOut, ...(momentum ? [bOut] : [])];
    },
  };
}

function adamCase(r: AdamRow, n: number, seed: number): KernelCase {
  const p = randomArray(n, seed), g = randomArray(n, seed + 1);
  const m = randomArray(n, seed + 2).map((v) => v * 0.1);
  const v = randomArray(n, seed + 3).map((x) => (x + 1) * 0.005);
  const vmax = randomArray(n, seed + 4).map((x) => (x + 1) * 0.005);
  const ams = (r.flags & ADAM_AMSGRAD) !== 0;
  // Scalars in float64 as PyTorch's Python code (and src/optim/adam.ts) computes them; the kernel takes float32.
  const stepSize = r.lr / (1 - r.b1 ** r.step), bc2sqrt = Math.sqrt(1 - r.b2 ** r.step), shrink = 1 - r.lr * r.wd;
  return {
    name: `adamStep ${flagNames(r.flags, [[ADAM_DECAY, 'L2'], [ADAM_DECOUPLED, 'decoupled'], [ADAM_AMSGRAD, 'amsgrad']])} step ${r.step}, n ${n}`,
    tol: TOL,
    run: () => {
      const [pt, gt, mt, vt, vmt] = [p, g, m, v, vmax].map((d) => sn.tensor(d, [n]));
      kernels.adamStep({
        p: pt.ptr(), g: gt.ptr(), m: mt.ptr(), v: vt.ptr(), vmax: ams ? vmt.ptr() : 0, n, negStep: -stepSize,
        b1: r.b1, b1c: 1 - r.b1, b2: r.b2, b2c: 1 - r.b2, eps: r.eps, wd: r.wd, shrink, bc2sqrt, flags: r.flags,
      });
      return [pt, mt, vt, ...(ams ? [vmt] : [])].map((t) => t.toFloat32Array());
    },
    reference: () => {
      const [b1, b1c, b2, b2c, eps, wd] = [f(r.b1), f(1 - r.b1), f(r.b2), f(1 - r.b2), f(r.eps), f(r.wd)];
      const out = [p, m, v, vmax].map(() => new Float64Array(n));
      for (let i = 0; i < n; i++) {
        const pv = r.flags & ADAM_DECOUPLED ? p[i] * f(shrink) : p[i];
        const gv = r.flags & ADAM_DECAY ? g[i] + wd * pv : g[i];
        const mv = b1 * m[i] + b1c * gv;
        const vv = b2 * v[i] + b2c * gv * gv;
        const vm = ams ? Math.max(vmax[i], vv) : vv;
        out[0][i] = pv - f(stepSize) * mv / (Math.sqrt(vm) / f(bc2sqrt) + eps);
        out[1][i] = mv;
        out[2][i] = vv;
        out[3][i] = vm;
      }
      return ams ? out : out.slice(0, 3);
    },
  };
}

export const OPTIM_FAMILY: KernelFamily = {
  name: 'optimizer updates',
  module: import.meta.url,
  exportName: 'OPTIM_FAMILY',
  relaxedChangesBits: true, // SGD's relaxed build rounds a·b + c once (relaxed_madd)
  cases: () => [
    ...SGD_ROWS.flatMap((r, i) => SIZES.map((n) => sgdCase(r, n, 200 + 3 * i))),
    ...ADAM_ROWS.flatMap((r, i) => SIZES.map((n) => adamCase(r, n, 300 + 5 * i))),
  ],
};
