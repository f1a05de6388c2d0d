// The element-wise tester's table (elementwise.test.ts runs it with tester.ts):
// activations forward and backward, hardtanh (the clamp kernel and its
// gradient), the unary and binary kernels, and the element-wise regression
// losses, each on n values (vector loop, tails, uneven thread splits) split
// over the whole pool, against a per-element float64 formula. One rounding of
// an exact float32 operation (neg, abs, sqrt, +, −, ·, ÷, min, max, clamp)
// must match bit for bit; exp, log, tanh, sigmoid and pow come from
// assembly/math.ts (2–3 float32 ulp).
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
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
  /** Every output's value at one element, from the inputs' values (then the element's index). */
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

/** murmur3's 32-bit finaliser (assembly/activation.ts fmix32v). */
function fmix32(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
/** Dropout of element i: kept when the top 24 bits of hash(seed, i) are ≥ threshold = p·2^24, then scaled. */
const dropout = (p: number, seed: number): PointwiseRow => {
  const threshold = Math.round(p * 2 ** 24), scale = 1 / (1 - p), key = fmix32((seed ^ 0x5bd1e995) >>> 0);
  return {
    name: `dropout p ${p} seed ${seed}`, inputs: [sym(4)], tol: EXACT,
    ref: (x, i) => [fmix32((Math.imul(i, 0x9e3779b9) + key) >>> 0) >>> 8 >= threshold ? x * f(scale) : 0],
    kernel: ([x], [out], n) => kernels.dropout({ x, out, n, seed, threshold, scale }),
  };
};
/** Starts `out` as a copy of `from`: the in-place kernels' starting values. */
const copyInto = (from: number, out: number, n: number) => backend().heap.f32.copyWithin(out >>> 2, from >>> 2, (from >>> 2) + n);

POINTWISE_ROWS.push(
  dropout(0.5, 1234), dropout(0.1, 7), dropout(0.9, 99),
  { name: 'addReluInPlace', inputs: [sym(4), sym(4)], tol: EXACT, ref: (a, b) => [Math.max(f(a + b), 0)],
    kernel: ([a, b], [dst], n) => { copyInto(a, dst, n); kernels.addReluInPlace({ dst, src: b, n }); } },
  { name: 'copyFloats', inputs: [sym(4)], tol: EXACT, ref: (x) => [x], kernel: ([src], [dst], n) => kernels.copyFloats({ src, dst, n }) },
);

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
      for (let i = 0; i < n; i++) r.ref(...ins.map((d) => d[i]), i).forEach((v, o) => { outs[o][i] = v; });
      return outs;
    },
  };
}

/** A case over [rows, m] with its own run and float64 reference (the broadcast, per-plane and row-copy kernels). */
function planesCase(name: string, shape: [number, number, number], inputs: number, tol: Tolerance,
  kernel: (ins: number[], out: number) => void, ref: (ins: Float32Array[], out: Float64Array) => void, outSize?: number): KernelCase {
  const n = shape[0] * shape[1] * shape[2];
  const data = () => Array.from({ length: inputs }, (_, k) => sym(4)(n, 500 + 7 * k + n));
  return {
    name: `${name} [${shape}]`,
    tol,
    run: () => {
      const ins = data().map((d) => sn.tensor(d, [n]));
      const out = nanTensor([outSize ?? n]);
      kernel(ins.map((t) => t.ptr()), out.ptr());
      return [out.toFloat32Array()];
    },
    reference: () => {
      const out = new Float64Array(outSize ?? n);
      ref(data(), out);
      return [out];
    },
  };
}

/** affinePlanesInPlace over [planes, C, S]: y·scale[c] + shift[c] (y + shift[c] without scale), + src, ReLU; f32 mul then add. */
function affineCase(scale: boolean, shift: boolean, src: boolean, relu: boolean): KernelCase {
  const [P, C, S] = [3, 5, 21];
  return planesCase(`affinePlanesInPlace${scale ? ' scale' : ''}${shift ? ' shift' : ''}${src ? ' residual' : ''}${relu ? ' relu' : ''}`, [P, C, S], 4, EXACT,
    ([y0, sc, sh, res], y) => {
      copyInto(y0, y, P * C * S);
      kernels.affinePlanesInPlace({ y, planes: P * C, C, S, scale: scale ? sc : 0, shift: shift ? sh : 0, src: src ? res : 0, relu: relu ? 1 : 0 });
    },
    ([y0, sc, sh, res], out) => {
      for (let i = 0; i < out.length; i++) {
        const c = Math.floor(i / S) % C;
        let v = y0[i];
        if (scale) v = f(f(v * sc[c]) + (shift ? sh[c] : 0));
        else if (shift) v = f(v + sh[c]);
        if (src) v = f(v + res[i]);
        out[i] = relu ? Math.max(v, 0) : v;
      }
    });
}

const LAYOUT_CASES = (): KernelCase[] => [
  ...[21, 1, 4].map((m) => planesCase(`addRepeat m ${m}`, [3, 5, 21], 2, EXACT,
    ([a, b], out) => kernels.addRepeat({ a, b, out, n: 315, m }), ([a, b], out) => out.forEach((_, i) => { out[i] = f(a[i] + b[i % m]); }))),
  ...[21, 7].map((m) => planesCase(`sumRepeat m ${m}`, [3, 5, 21], 1, { atol: 2e-5, rtol: 1e-6 }, // float32 sums of up to 45 values in ±4
    ([g], out) => kernels.sumRepeat({ g, out, rows: 315 / m, m }),
    ([g], out) => { for (let i = 0; i < 315; i++) out[i % m] += g[i]; }, m)),
  // 15 rows of 13 floats from a stride of 21 to a stride of 17 (the other floats of the output stay NaN: not compared).
  planesCase('copyRows 13 of 21 -> 17', [3, 5, 21], 1, EXACT,
    ([src], dst) => kernels.copyRows({ src, dst, rows: 15, rowFloats: 13, srcStride: 21, dstStride: 17 }),
    ([src], out) => { out.fill(NaN); for (let r = 0; r < 15; r++) for (let j = 0; j < 13; j++) out[r * 17 + j] = src[r * 21 + j]; }, 15 * 17),
  affineCase(true, true, true, true), affineCase(false, true, false, true), affineCase(false, false, true, true), affineCase(true, true, false, false),
];

export const ELEMENTWISE_FAMILY: KernelFamily = {
  name: 'element-wise',
  module: import.meta.url,
  exportName: 'ELEMENTWISE_FAMILY',
  cases: () => [...POINTWISE_ROWS.flatMap((r, i) => SIZES.map((n) => pointwiseCase(r, n, 40 + 3 * i))), ...LAYOUT_CASES()],
};
