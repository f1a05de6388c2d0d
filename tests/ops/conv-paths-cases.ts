// The conv2d tester's table (conv-paths.test.ts runs it with
// tests/kernels/tester.ts). Every case runs on EVERY algorithm of
// src/ops/conv2d/algorithms.ts that applies to it, forced, so a new algorithm
// is tested by adding it to that table (and, if no case below fits it, one
// case here); `chosen` is what the chooser must pick for the case.
import * as sn from '../../src/index.js';
import { CONV_ALGORITHMS, type ConvPath } from '../../src/ops/conv2d/algorithms.js';
import { convGeometry, type Conv2dOptions, type ConvGeom } from '../../src/ops/conv2d/geometry.js';
import { convBackwardData, convBackwardFilter, convBiasGrad, convForward } from '../../src/ops/conv2d/run.js';
import { randomArray } from '../helpers.js';
import type { KernelFamily } from '../kernels/family.js';
import { refConv } from './conv-reference.js';

export interface ConvCase { name: string; xs: number[]; ws: number[]; opts: Conv2dOptions; chosen: ConvPath }

export const CONV_CASES: ConvCase[] = [
  { name: 'LeNet conv1 5x5', xs: [3, 1, 16, 16], ws: [6, 1, 5, 5], opts: {}, chosen: 'small' },
  { name: 'LeNet conv2 5x5, 6 -> 16', xs: [2, 6, 14, 14], ws: [16, 6, 5, 5], opts: {}, chosen: 'small' },
  { name: '3x3 no padding, 16 -> 20 (small and Winograd both apply)', xs: [2, 16, 6, 7], ws: [20, 16, 3, 3], opts: {}, chosen: 'small' },
  { name: 'depthwise 3x3 s1 p1', xs: [2, 8, 9, 10], ws: [8, 1, 3, 3], opts: { padding: 1, groups: 8 }, chosen: 'depthwise' },
  { name: 'depthwise 3x3 s2, multiplier 2', xs: [1, 4, 11, 9], ws: [8, 1, 3, 3], opts: { stride: 2, padding: 1, groups: 4 }, chosen: 'depthwise' },
  { name: 'depthwise 5x5 dilation 2', xs: [2, 3, 12, 12], ws: [3, 1, 5, 5], opts: { padding: 4, dilation: 2, groups: 3 }, chosen: 'depthwise' },
  { name: '1x1, 24 -> 40', xs: [2, 24, 7, 9], ws: [40, 24, 1, 1], opts: {}, chosen: 'direct-1x1' },
  { name: '1x1, groups 2, 6 -> 10', xs: [3, 6, 5, 7], ws: [10, 3, 1, 1], opts: { groups: 2 }, chosen: 'direct-1x1' },
  { name: '1x1, 8 -> 96 (W·col)', xs: [1, 8, 6, 6], ws: [96, 8, 1, 1], opts: {}, chosen: 'direct-1x1' },
  { name: 'Winograd 3x3 p1, odd sizes, 17 -> 19', xs: [2, 17, 7, 9], ws: [19, 17, 3, 3], opts: { padding: 1 }, chosen: 'winograd-f4x4-3x3' },
  { name: 'Winograd 3x3 p2', xs: [1, 16, 6, 5], ws: [16, 16, 3, 3], opts: { padding: 2 }, chosen: 'winograd-f4x4-3x3' },
  { name: 'Winograd 3x3 padding [0, 1]', xs: [2, 16, 9, 4], ws: [16, 16, 3, 3], opts: { padding: [0, 1] }, chosen: 'winograd-f4x4-3x3' },
  { name: 'Winograd 3x3 same, 32 -> 48', xs: [2, 32, 10, 10], ws: [48, 32, 3, 3], opts: { padding: 'same' }, chosen: 'winograd-f4x4-3x3' },
  { name: 'Winograd 3x3 p1, 28x28 (the cost model picks F(4x4)), 32 -> 48', xs: [2, 32, 28, 28], ws: [48, 32, 3, 3], opts: { padding: 1 }, chosen: 'winograd-f4x4-3x3' },
  { name: 'Winograd 3x3 p1, 30x30 (whole 6x6 tiles), 32 -> 16', xs: [1, 32, 30, 30], ws: [16, 32, 3, 3], opts: { padding: 1 }, chosen: 'winograd-f4x4-3x3' },
  { name: 'im2col 3x3 stride 2', xs: [2, 16, 9, 8], ws: [16, 16, 3, 3], opts: { stride: 2, padding: 1 }, chosen: 'im2col' },
  { name: 'im2col 3x3 dilation 2', xs: [1, 16, 11, 10], ws: [16, 16, 3, 3], opts: { dilation: 2, padding: 2 }, chosen: 'im2col' },
  { name: 'im2col groups 2, stride [2, 1]', xs: [5, 4, 7, 6], ws: [6, 2, 3, 2], opts: { groups: 2, stride: [2, 1], padding: 1 }, chosen: 'im2col' },
  { name: 'im2col 7x7 s2 p3, 3 -> 96 (W·col)', xs: [1, 3, 23, 21], ws: [96, 3, 7, 7], opts: { stride: 2, padding: 3 }, chosen: 'im2col' },
  { name: 'im2col 2x4 same padding (asymmetric)', xs: [2, 5, 8, 9], ws: [7, 5, 2, 4], opts: { padding: 'same' }, chosen: 'im2col' },
  { name: 'im2col 3x3 on 3 channels p1 (too few for Winograd)', xs: [2, 3, 12, 11], ws: [16, 3, 3, 3], opts: { padding: 1 }, chosen: 'im2col' },
];

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function caseGeometry(c: ConvCase): ConvGeom {
  return convGeometry('conv2d', sn.zeros(c.xs), sn.zeros(c.ws), null, c.opts);
}

/** Inputs of a case: x, w, b and the output gradient gy, from fixed seeds. */
export function caseData(c: ConvCase) {
  const g = caseGeometry(c);
  return {
    g,
    x: randomArray(size(c.xs), 1),
    w: randomArray(size(c.ws), 2).map((v) => v * 0.3),
    b: randomArray(c.ws[0], 3),
    gy: randomArray(g.N * g.OC * g.OH * g.OW, 4),
  };
}

/** [y, dx, dw, db] of a case computed by `path` (forced), on the running backend. */
export function runCase(c: ConvCase, path: ConvPath): Float32Array[] {
  const { g, x, w, b, gy } = caseData(c);
  return sn.tidy(() => {
    const [xt, wt, bt, gyt] = [sn.tensor(x, c.xs), sn.tensor(w, c.ws), sn.tensor(b, [g.OC]), sn.tensor(gy, [g.N, g.OC, g.OH, g.OW])];
    // Filled with NaN so that an output a path fails to write is caught.
    const [y, dx, dw, db] = [sn.full([g.N, g.OC, g.OH, g.OW], NaN), sn.full(c.xs, NaN), sn.full(c.ws, NaN), sn.full([g.OC], NaN)];
    convForward(g, xt.ptr(), wt.ptr(), bt.ptr(), y.ptr(), path);
    convBackwardData(g, gyt.ptr(), wt.ptr(), dx.ptr(), path);
    convBackwardFilter(g, xt.ptr(), gyt.ptr(), dw.ptr(), path);
    convBiasGrad(g, gyt.ptr(), db.ptr());
    return [y, dx, dw, db].map((t) => t.toFloat32Array());
  });
}

const PATHS = Object.keys(CONV_ALGORITHMS) as ConvPath[];

/** (case, path) for every algorithm that applies to the case. */
export function convRuns(): [ConvCase, ConvPath][] {
  return CONV_CASES.flatMap((c) => PATHS.filter((p) => CONV_ALGORITHMS[p].applies(caseGeometry(c))).map((p) => [c, p] as [ConvCase, ConvPath]));
}

/** Every (case, algorithm) run: [y, dx, dw, db] against the float64 convolution. */
export const CONV_FAMILY: KernelFamily = {
  name: 'conv2d',
  module: import.meta.url,
  exportName: 'CONV_FAMILY',
  cases: () => convRuns().map(([c, path]) => ({
    name: `${c.name} on ${path}`,
    run: () => runCase(c, path),
    reference: () => {
      const { g, x, w, b, gy } = caseData(c);
      const ref = refConv({ ...g, groups: g.G }, x, w, b, gy);
      return [ref.y, ref.gx, ref.gw, ref.gb];
    },
    // dw and db sum over the batch and the plane: looser in absolute terms. F(4x4,3x3)
    // and F(6x6,3x3) transforms amplify rounding (values up to ~100x the input's cancel
    // in the output transform): held to the PyTorch oracle tests' 1e-4 (docs/conv.md
    // gives their error).
    tol: [0, 1, 2, 3].map((i) => ({ atol: i >= 2 || path === 'winograd-f4x4-3x3' || path === 'winograd-f6x6-3x3' ? 1e-4 : 1e-5, rtol: 1e-4 })),
  })),
};
