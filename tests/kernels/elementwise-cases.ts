// The element-wise tester's table (elementwise.test.ts runs it with tester.ts):
// activations forward and backward, hardtanh (the clamp kernel and its
// gradient), the unary and binary kernels, and the element-wise regression
// losses, each on n values (vector loop, tails, uneven thread splits) split
// over the whole pool, against a per-element float64 formula. One rounding of
// an exact float32 operation (neg, abs, sqrt, +, −, ·, ÷, min, max, clamp)
// must match bit for bit; exp, log, tanh, sigmoid and pow come from
// assembly/math.ts (2–3 float32 ulp).
import * as sn from '../../src/index.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import {
  BINARY_ADD, BINARY_DIV, BINARY_MAX, BINARY_MIN, BINARY_MUL, BINARY_POW, BINARY_SUB,
  LOSS_HUBER, LOSS_L1, LOSS_MSE, LOSS_SMOOTH_L1,
  UNARY_ABS, UNARY_CLAMP, UNARY_EXP, UNARY_LOG, UNARY_NEG, UNARY_RSQRT, UNARY_SIGN, UNARY_SQRT, UNARY_SQUARE,
} from '../../src/runtime/kernel-table.generated.js';
import { randomArray } from '../helpers.js';
import { nanTensor, type KernelCase, type KernelFamily, type Tolerance } from './family.js';

type Gen = (n: number, seed: number) => Float32Array;
/** Values in [-s, s), with exact zeros and -0 among them. */
const sym = (s: number): Gen => (n, seed) => randomArray(n, seed).map((v, i) => (i % 13 === 5 ? (i % 2 ? -0 : 0) : v * s));
/** Values in (lo, hi). */
const range = (lo: number, hi: number): Gen => (n, seed) => randomArray(n, seed).map((v) => lo + (v + 1) / 2 * (hi - lo));

export interface PointwiseRow {
  name: string;
  inputs: Gen[];
  /** Runs the kernel on `n` values: input pointers, output pointers. */
  kernel(ins: number[], outs: number[], n: number): void;
  /** Every output's value at one element, from the inputs' values. */
  ref(...v: number[]): number[];
  tol: Tolerance;
}

const EXACT: Tolerance = 'exact';
const MATH: Tolerance = { atol: 1e-6, rtol: 1e-6 }; // assembly/math.ts: 2-3 float32 ulp
const ROUNDED: Tolerance = { atol: 1e-6, rtol: 1e-6 }; // a few float32 roundings in a row
const f = Math.fround;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const unary = (name: string, kind: number, input: Gen, ref: (x: number) => number, tol: Tolerance, lo = 0, hi = 0): PointwiseRow => ({
  name: `unary ${name}`, inputs: [input], tol, ref: (x) => [ref(x)],
  kernel: ([x], [out], n) => kernels.unary({ kind, x, out, n, lo, hi }),
});
const binary = (name: string, kind: number, a: Gen, b: Gen, ref: (a: number, b: number) => number, tol: Tolerance): PointwiseRow[] => [
  { name: `binarySame ${name}`, inputs: [a, b], tol, ref: (x, y) => [ref(x, y)], kernel: ([x, y], [out], n) => kernels.binarySame({ kind, a: x, b: y, out, n }) },
  ...[0, 1].map((scalarFirst): PointwiseRow => ({
    name: `binaryScalar ${name}${scalarFirst ? ', scalar first' : ''}`, inputs: [scalarFirst ? b : a], tol,
    ref: (x) => [scalarFirst ? ref(1.75, x) : ref(x, 1.75)],
    kernel: ([x], [out], n) => kernels.binaryScalar({ kind, a: x, s: 1.75, out, n, scalarFirst }),
  })),
];
const loss = (name: string, kind: number, param: number, value: (d: number) => number, grad: (d: number) => number): PointwiseRow[] => [
  { name: `regressionLoss ${name}`, inputs: [sym(3), sym(3)], tol: ROUNDED, ref: (a, b) => [value(f(a - b))],
    kernel: ([a, b], [out], n) => kernels.regressionLoss({ kind, a, b, out, n, param }) },
  { name: `regressionLossBackward ${name}`, inputs: [sym(3), sym(3), sym(1)], tol: ROUNDED,
    ref: (a, b, g) => [grad(f(a - b)) * g * 0.5, -grad(f(a - b)) * g * 0.5],
    kernel: ([a, b, g], [ga, gb], n) => kernels.regressionLossBackward({ kind, a, b, g, gstride: 1, scale: 0.5, ga, gb, n, param }) },
];

export const POINTWISE_ROWS: PointwiseRow[] = [
  { name: 'reluForward', inputs: [sym(4)], tol: EXACT, ref: (x) => [x > 0 ? x : 0], kernel: ([x], [out], n) => kernels.reluForward({ x, out, n }) },
  { name: 'reluBackward', inputs: [sym(4), sym(1)], tol: EXACT, ref: (x, g) => [x > 0 ? g : 0], kernel: ([x, g], [gx], n) => kernels.reluBackward({ x, g, gx, n }) },
  { name: 'tanhForward', inputs: [sym(6)], tol: MATH, ref: (x) => [Math.tanh(x)], kernel: ([x], [out], n) => kernels.tanhForward({ x, out, n }) },
  { name: 'tanhBackward', inputs: [range(-1, 1), sym(1)], tol: ROUNDED, ref: (y, g) => [g * (1 - y * y)], kernel: ([y, g], [gx], n) => kernels.tanhBackward({ y, g, gx, n }) },
  { name: 'sigmoidForward', inputs: [sym(12)], tol: MATH, ref: (x) => [sigmoid(x)], kernel: ([x], [out], n) => kernels.sigmoidForward({ x, out, n }) },
  { name: 'sigmoidBackward', inputs: [range(0, 1), sym(1)], tol: ROUNDED, ref: (y, g) => [g * y * (1 - y)], kernel: ([y, g], [gx], n) => kernels.sigmoidBackward({ y, g, gx, n }) },
  // hardtanh / clip: forward is the clamp kernel; the gradient passes strictly inside (lo, hi), as PyTorch.
  unary('clamp (hardtanh -1.5..6)', UNARY_CLAMP, sym(8), (x) => Math.min(Math.max(x, -1.5), 6), EXACT, -1.5, 6),
  unary('clamp (ReLU6)', UNARY_CLAMP, sym(8), (x) => Math.min(Math.max(x, 0), 6), EXACT, 0, 6),
  { name: 'hardtanhBackward -1.5..6', inputs: [sym(8), sym(1)], tol: EXACT, ref: (x, g) => [x > -1.5 && x < 6 ? g : 0],
    kernel: ([x, g], [gx], n) => kernels.hardtanhBackward({ x, g, gx, n, lo: -1.5, hi: 6 }) },
  unary('neg', UNARY_NEG, sym(4), (x) => -x, EXACT),
  unary('abs', UNARY_ABS, sym(4), Math.abs, EXACT),
  unary('exp', UNARY_EXP, sym(20), Math.exp, MATH),
  unary('log', UNARY_LOG, range(1e-3, 50), Math.log, MATH),
  unary('sqrt', UNARY_SQRT, range(0, 50), Math.sqrt, EXACT),
  unary('rsqrt', UNARY_RSQRT, range(1e-2, 50), (x) => 1 / f(Math.sqrt(x)), EXACT),
  unary('square', UNARY_SQUARE, sym(4), (x) => x * x, EXACT),
  unary('sign', UNARY_SIGN, sym(4), (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), EXACT),
  ...binary('add', BINARY_ADD, sym(4), sym(4), (a, b) => a + b, EXACT),
  ...binary('sub', BINARY_SUB, sym(4), sym(4), (a, b) => a - b, EXACT),
  ...binary('mul', BINARY_MUL, sym(4), sym(4), (a, b) => a * b, EXACT),
  ...binary('div', BINARY_DIV, sym(4), range(0.5, 4), (a, b) => a / b, EXACT),
  ...binary('max', BINARY_MAX, sym(4), sym(4), (a, b) => (a === b ? a : Math.max(a, b)), EXACT),
  ...binary('min', BINARY_MIN, sym(4), sym(4), (a, b) => (a === b ? a : Math.min(a, b)), EXACT),
  ...binary('pow', BINARY_POW, range(0.1, 3), range(-2, 2), Math.pow, { atol: 1e-6, rtol: 4e-6 }),
  ...loss('L1', LOSS_L1, 0, Math.abs, (d) => Math.sign(d)),
  ...loss('MSE', LOSS_MSE, 0, (d) => d * d, (d) => 2 * d),
  ...loss('smooth L1 beta 0.7', LOSS_SMOOTH_L1, 0.7, (d) => (Math.abs(d) < f(0.7) ? 0.5 * d * d / f(0.7) : Math.abs(d) - 0.5 * f(0.7)),
    (d) => Math.max(-1, Math.min(1, d / f(0.7)))),
  ...loss('Huber delta 1.3', LOSS_HUBER, 1.3, (d) => (Math.abs(d) < f(1.3) ? 0.5 * d * d : f(1.3) * (Math.abs(d) - 0.5 * f(1.3))),
    (d) => Math.max(-f(1.3), Math.min(f(1.3), d))),
];

/** Sizes: one value, a vector and a tail, and enough for uneven splits of every thread count. */
const SIZES = [1, 7, 1003];

function pointwiseCase(r: PointwiseRow, n: number, seed: number): KernelCase {
  const inputs = () => r.inputs.map((gen, i) => gen(n, seed + i));
  const outputs = r.ref(...r.inputs.map(() => 0)).length;
  return {
    name: `${r.name}, n ${n}`,
    tol: r.tol,
    run: () => {
      const ins = inputs().map((d) => sn.tensor(d, [n]));
      const outs = Array.from({ length: outputs }, () => nanTensor([n]));
      r.kernel(ins.map((t) => t.ptr()), outs.map((t) => t.ptr()), n);
      return outs.map((t) => t.toFloat32Array());
    },
    reference: () => {
      const ins = inputs();
      const outs = Array.from({ length: outputs }, () => new Float64Array(n));
      for (let i = 0; i < n; i++) r.ref(...ins.map((d) => d[i])).forEach((v, o) => { outs[o][i] = v; });
      return outs;
    },
  };
}

export const ELEMENTWISE_FAMILY: KernelFamily = {
  name: 'element-wise',
  module: import.meta.url,
  exportName: 'ELEMENTWISE_FAMILY',
  cases: () => POINTWISE_ROWS.flatMap((r, i) => SIZES.map((n) => pointwiseCase(r, n, 40 + 3 * i))),
};
