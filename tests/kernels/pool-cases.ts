// The pooling tester's table (pool.test.ts runs it with tester.ts): max, average
// and adaptive pooling kernels, forward and backward, and the dedicated 2x2/2
// max kernels, called split over the whole pool, against loops written from
// PyTorch's definitions. Max pooling only moves values, and its gradient adds in
// output order, so the max rows must match bit for bit (NaN, ±inf, ties and -0
// in the data); averages are within float32 rounding.
import * as sn from '../../src/index.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { randomArray } from '../helpers.js';
import { nanTensor, type KernelCase, type KernelFamily } from './family.js';

type Kind = 'max' | 'max2x2' | 'avg' | 'adaptiveMax' | 'adaptiveAvg';
type P = [number, number];

export interface PoolRow {
  kind: Kind;
  shape: [number, number, number, number];
  k?: P; s?: P; p?: P; d?: P; ceil?: boolean;
  /** avg: padding counts in the divisor (PyTorch's count_include_pad, default true). */
  includePad?: boolean;
  /** adaptive pools: the output size. */
  out?: P;
}

const sq = (v: number): P => [v, v];

export const POOL_ROWS: PoolRow[] = [
  // Max, the vector path (4 outputs at a time) and its tails: strides 1 and 2, with and without padding, ceil mode.
  ...([[2, 2, 0], [3, 2, 1], [3, 1, 1], [3, 1, 0], [5, 2, 2], [2, 1, 1]] as const).map(([k, s, p]): PoolRow =>
    ({ kind: 'max', shape: [2, 3, 9, 23], k: sq(k), s: sq(s), p: sq(p), ceil: true })),
  { kind: 'max', shape: [2, 1, 7, 8], k: [2, 3], s: [1, 2], d: sq(2) },
  { kind: 'max', shape: [1, 2, 13, 13], k: sq(3), s: sq(2) }, // AlexNet's, floor mode
  { kind: 'max', shape: [1, 2, 15, 15], k: sq(3), s: sq(2), ceil: true }, // GoogLeNet's, the last window clipped
  { kind: 'max', shape: [5, 1, 9, 8], k: sq(3), s: sq(2), p: sq(1) },
  // 3x3/2, ResNet's (pool.ts maxPool3x3s2Plane): several column strips, rows kept between windows, odd tails.
  { kind: 'max', shape: [2, 3, 30, 41], k: sq(3), s: sq(2), p: sq(1) },
  { kind: 'max', shape: [1, 2, 31, 40], k: sq(3), s: sq(2), ceil: true },
  { kind: 'max', shape: [1, 3, 12, 10], k: [3, 2], s: [2, 3], p: [1, 1], d: [2, 1], ceil: true },
  // The dedicated 2x2/2 kernels: odd sizes (floor), column tails, one window.
  ...([[2, 3, 28, 28], [1, 2, 7, 9], [3, 1, 10, 10], [1, 1, 2, 2], [1, 1, 3, 17], [2, 4, 20, 18]] as const)
    .map((shape): PoolRow => ({ kind: 'max2x2', shape: [...shape] })),
  // Average: padding in or out of the divisor, ceil mode's clipped window, rectangular windows.
  { kind: 'avg', shape: [1, 2, 6, 7], k: sq(3), s: sq(2), p: sq(1), ceil: true },
  { kind: 'avg', shape: [1, 2, 6, 7], k: sq(3), s: sq(2), p: sq(1), ceil: true, includePad: false },
  { kind: 'avg', shape: [2, 3, 8, 9], k: sq(2), s: sq(2) },
  { kind: 'avg', shape: [2, 2, 9, 10], k: [3, 2], s: [1, 2], p: [1, 0], includePad: false },
  { kind: 'avg', shape: [5, 1, 9, 8], k: sq(3), s: sq(2), p: sq(1), includePad: false },
  // Adaptive: uneven windows (overlapping where the sizes do not divide), global, identity, upsampling.
  { kind: 'adaptiveAvg', shape: [1, 2, 7, 5], out: [3, 2] },
  { kind: 'adaptiveMax', shape: [1, 2, 7, 5], out: [3, 4] },
  { kind: 'adaptiveAvg', shape: [5, 1, 9, 8], out: sq(4) },
  { kind: 'adaptiveMax', shape: [5, 1, 9, 8], out: sq(4) },
  { kind: 'adaptiveAvg', shape: [2, 4, 5, 7], out: sq(1) },
  { kind: 'adaptiveMax', shape: [2, 3, 6, 6], out: sq(6) },
  { kind: 'adaptiveAvg', shape: [1, 2, 3, 2], out: [5, 4] },
];

/** PyTorch's output size (pool.ts pooledSize): in ceil mode the last window starts inside the input or the left padding. */
function pooled(size: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

function geometry(r: PoolRow) {
  const [N, C, H, W] = r.shape;
  const k = r.kind === 'max2x2' ? sq(2) : r.k ?? sq(1);
  const s = r.kind === 'max2x2' ? sq(2) : r.s ?? k;
  const p = r.p ?? sq(0), d = r.d ?? sq(1);
  const [OH, OW] = r.out ?? [pooled(H, k[0], p[0], s[0], d[0], !!r.ceil), pooled(W, k[1], p[1], s[1], d[1], !!r.ceil)];
  return { planes: N * C, H, W, OH, OW, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: p[0], pW: p[1], dH: d[0], dW: d[1] };
}
type Geom = ReturnType<typeof geometry>;

/** Values from a small set (many ties) with NaN, ±inf and -0 sprinkled in: only for max, which moves values. */
function nasty(n: number, seed: number): Float32Array {
  const r = randomArray(n, seed);
  const specials = [NaN, Infinity, -Infinity, -0, 0];
  return r.map((v, i) => (i % 7 === 3 ? specials[i % 5] : Math.round(v * 3) / 2));
}

function data(r: PoolRow, seed: number) {
  const g = geometry(r);
  const n = g.planes * g.H * g.W;
  const isMax = r.kind.startsWith('max') || r.kind === 'adaptiveMax';
  return { g, x: isMax ? nasty(n, seed) : randomArray(n, seed), dy: randomArray(g.planes * g.OH * g.OW, seed + 1).map((v, i) => (i % 11 === 0 ? -0 : v)) };
}

/** The input rows (or columns) that output o reads along one axis: a strided, padded, dilated window, or an adaptive one. */
type Taps = (o: number) => number[];
const windowTaps = (size: number, k: number, s: number, p: number, d: number): Taps => (o) =>
  Array.from({ length: k }, (_, i) => o * s - p + i * d).filter((v) => v >= 0 && v < size);
const adaptiveTaps = (size: number, out: number): Taps => (o) => {
  const a = Math.floor((o * size) / out), b = Math.ceil(((o + 1) * size) / out);
  return Array.from({ length: b - a }, (_, i) => a + i);
};

/** Max with PyTorch's rule (`v > max || isnan(v)`: NaN wins, the first of equal values stays); the gradient to that tap, added in output order in float32. */
function refMax(g: Geom, x: Float32Array, dy: Float32Array, rows: Taps, cols: Taps) {
  const y = new Float32Array(g.planes * g.OH * g.OW);
  const dx = new Float32Array(x.length);
  for (let pl = 0; pl < g.planes; pl++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
    let m = -Infinity, at = -1;
    for (const ih of rows(oh)) for (const iw of cols(ow)) {
      const i = (pl * g.H + ih) * g.W + iw;
      if (at < 0) at = i; // PyTorch starts from the first tap
      if (x[i] > m || Number.isNaN(x[i])) { m = x[i]; at = i; }
    }
    const o = (pl * g.OH + oh) * g.OW + ow;
    y[o] = m;
    dx[at] += dy[o];
  }
  return [y, dx];
}

/** Mean over the taps, divided by `divisor(oh, ow, taps)`; the gradient spread back, in float64. */
function refAvg(g: Geom, x: Float32Array, dy: Float32Array, rows: Taps, cols: Taps, divisor: (oh: number, ow: number, taps: number) => number) {
  const y = new Float64Array(g.planes * g.OH * g.OW);
  const dx = new Float64Array(x.length);
  for (let pl = 0; pl < g.planes; pl++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
    const rs = rows(oh), cs = cols(ow);
    const div = divisor(oh, ow, rs.length * cs.length);
    const o = (pl * g.OH + oh) * g.OW + ow;
    for (const ih of rs) for (const iw of cs) {
      const i = (pl * g.H + ih) * g.W + iw;
      y[o] += x[i] / div;
      dx[i] += dy[o] / div;
    }
  }
  return [y, dx];
}

function reference(r: PoolRow, seed: number): ArrayLike<number>[] {
  const { g, x, dy } = data(r, seed);
  if (r.kind === 'adaptiveMax' || r.kind === 'adaptiveAvg') {
    const rows = adaptiveTaps(g.H, g.OH), cols = adaptiveTaps(g.W, g.OW);
    return r.kind === 'adaptiveMax' ? refMax(g, x, dy, rows, cols) : refAvg(g, x, dy, rows, cols, (_, __, taps) => taps);
  }
  const rows = windowTaps(g.H, g.kH, g.sH, g.pH, g.dH), cols = windowTaps(g.W, g.kW, g.sW, g.pW, g.dW);
  if (r.kind !== 'avg') return refMax(g, x, dy, rows, cols);
  // count_include_pad: the window clipped to the padded input (ceil mode's last window may reach past it).
  const padded = (o: number, s: number, p: number, k: number, size: number) => Math.min(o * s - p + k, size + p) - (o * s - p);
  const divisor = (oh: number, ow: number, taps: number) =>
    r.includePad === false ? taps : padded(oh, g.sH, g.pH, g.kH, g.H) * padded(ow, g.sW, g.pW, g.kW, g.W);
  return refAvg(g, x, dy, rows, cols, divisor);
}

/** [y, dx] from the row's forward and backward kernels. */
function run(r: PoolRow, seed: number): Float32Array[] {
  const { g, x: xd, dy: dyd } = data(r, seed);
  const x = sn.tensor(xd, r.shape), dy = sn.tensor(dyd, [g.planes * g.OH * g.OW]);
  const y = nanTensor([g.planes * g.OH * g.OW]), dx = nanTensor(r.shape);
  const plane = { planes: g.planes, H: g.H, W: g.W, OH: g.OH, OW: g.OW };
  const { kH, kW, sH, sW, pH, pW, dH, dW } = g;
  const includePad = r.includePad === false ? 0 : 1;
  switch (r.kind) {
    case 'max':
      kernels.maxPool2dForward({ x: x.ptr(), ...plane, kH, kW, sH, sW, pH, pW, dH, dW, y: y.ptr() });
      kernels.maxPool2dBackward({ x: x.ptr(), dy: dy.ptr(), ...plane, kH, kW, sH, sW, pH, pW, dH, dW, dx: dx.ptr() });
      break;
    case 'max2x2':
      kernels.maxPool2x2Forward({ x: x.ptr(), ...plane, y: y.ptr() });
      kernels.maxPool2x2Backward({ x: x.ptr(), dy: dy.ptr(), ...plane, dx: dx.ptr() });
      break;
    case 'avg':
      kernels.avgPool2dForward({ x: x.ptr(), ...plane, kH, kW, sH, sW, pH, pW, includePad, y: y.ptr() });
      kernels.avgPool2dBackward({ dy: dy.ptr(), ...plane, kH, kW, sH, sW, pH, pW, includePad, dx: dx.ptr() });
      break;
    case 'adaptiveMax':
      kernels.adaptiveMaxPool2dForward({ x: x.ptr(), ...plane, y: y.ptr() });
      kernels.adaptiveMaxPool2dBackward({ x: x.ptr(), dy: dy.ptr(), ...plane, dx: dx.ptr() });
      break;
    case 'adaptiveAvg':
      kernels.adaptiveAvgPool2dForward({ x: x.ptr(), ...plane, y: y.ptr() });
      kernels.adaptiveAvgPool2dBackward({ dy: dy.ptr(), ...plane, dx: dx.ptr() });
      break;
  }
  return [y.toFloat32Array(), dx.toFloat32Array()];
}

const label = (r: PoolRow) => `${r.kind} ${JSON.stringify(r.shape)}` + (r.out ? ` -> ${r.out}` : '') +
  (r.k ? ` k${r.k} s${r.s ?? r.k} p${r.p ?? 0}` : '') + (r.d ? ` d${r.d}` : '') + (r.ceil ? ' ceil' : '') + (r.includePad === false ? ' excludePad' : '');

export const POOL_FAMILY: KernelFamily = {
  name: 'pooling',
  module: import.meta.url,
  exportName: 'POOL_FAMILY',
  cases: () => POOL_ROWS.map((r, i): KernelCase => ({
    name: label(r),
    run: () => run(r, 20 + 2 * i),
    reference: () => reference(r, 20 + 2 * i),
    tol: r.kind.endsWith('vg') ? { atol: 1e-6, rtol: 1e-5 } : 'exact',
  })),
};
