import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { convGeometry } from '../../src/ops/conv2d.js';
import { bandRows, choosePath, convBackwardData, convBackwardFilter, convForward, type ConvPath, type ForwardOrientation } from '../../src/ops/conv2d-kernels.js';
import { forceWinogradTile } from '../../src/ops/conv2d-winograd-choice.js';
import { gradcheck } from '../gradcheck.js';
import { bitsEqual, maxRelErr, randomArray } from '../helpers.js';
import { refConv, refGeometry } from './conv-reference.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

interface Arr { shape: number[]; data: number[] }
interface Case { name: string; opts: Record<string, unknown>; x: Arr; w: Arr; b?: Arr; y: Arr; gy: Arr; gx: Arr; gw: Arr; gb?: Arr }
const load = (f: string): Case[] => JSON.parse(readFileSync(new URL(`../fixtures/${f}`, import.meta.url), 'utf8')).cases;
// conv2d-winograd.json: 3x3 stride-1 layers wide enough for the Winograd path
const fixtures: Case[] = [...load('conv2d.json'), ...load('conv2d-winograd.json')];

const t = (a: Arr, requiresGrad = false) => sn.tensor(new Float32Array(a.data), a.shape, { requiresGrad });
const pair = (v: unknown) => (Array.isArray(v) ? (v as [number, number]) : v);

describe('F.conv2d against PyTorch 1.13', () => {
  for (const c of fixtures) {
    it(c.name, () => {
      const x = t(c.x, true), w = t(c.w, true), b = c.b ? t(c.b, true) : null;
      const opts = { stride: pair(c.opts.stride), padding: pair(c.opts.padding), dilation: pair(c.opts.dilation), groups: c.opts.groups };
      for (const k of Object.keys(opts) as (keyof typeof opts)[]) if (opts[k] === undefined) delete opts[k];
      const y = sn.F.conv2d(x, w, b, opts as sn.F.Conv2dOptions);
      expect(y.shape).toEqual(c.y.shape);
      expect(maxRelErr(y.toFloat32Array(), c.y.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      y.backward(t(c.gy));
      expect(maxRelErr(x.grad!.toFloat32Array(), c.gx.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      expect(maxRelErr(w.grad!.toFloat32Array(), c.gw.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      if (b) expect(maxRelErr(b.grad!.toFloat32Array(), c.gb!.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    });
  }
});

describe('F.conv2d on an empty batch', () => {
  it('gives an empty output and zero weight and bias gradients on every path', () => {
    for (const [ws, opts] of [[[4, 3, 3, 3], { padding: 1 }], [[4, 3, 1, 1], {}], [[96, 3, 3, 3], { stride: 2 }], [[16, 16, 3, 3], { padding: 1 }]] as const) {
      const x = sn.zeros([0, ws[1], 6, 6], { requiresGrad: true });
      const w = sn.ones([...ws], { requiresGrad: true });
      const b = sn.ones([ws[0]], { requiresGrad: true });
      const y = sn.F.conv2d(x, w, b, opts as sn.F.Conv2dOptions);
      expect(y.shape[0]).toBe(0);
      expect(y.shape[1]).toBe(ws[0]);
      y.backward(sn.zeros(y.shape));
      expect(w.grad!.toFloat32Array().every((v) => v === 0)).toBe(true);
      expect(b.grad!.toFloat32Array().every((v) => v === 0)).toBe(true);
      expect(x.grad!.shape).toEqual(x.shape);
    }
  });
});

describe('F.conv2d memory', () => {
  it('frees its temporaries: a tidy training step leaves live memory where it was, on every path', () => {
    const layers: [number[], number[], sn.F.Conv2dOptions][] = [
      [[2, 16, 12, 12], [16, 16, 3, 3], { padding: 1 }], // Winograd
      [[2, 3, 30, 30], [96, 3, 5, 5], { stride: 2 }], // im2col, W·col
      [[3, 6, 14, 14], [16, 6, 5, 5], {}], // im2col, colᵀ·Wᵀ across images
      [[2, 32, 8, 8], [16, 32, 1, 1], {}], // direct 1x1
    ];
    // leaves that live across steps, like parameters: their .grad accumulates in place
    const w = layers.map(([, ws]) => sn.keep(sn.randn(ws, { seed: 1, requiresGrad: true })));
    const x = layers.map(([xs]) => sn.keep(sn.randn(xs, { seed: 2, requiresGrad: true })));
    const step = () => sn.tidy(() => {
      layers.forEach(([, , opts], i) => {
        const y = sn.F.conv2d(x[i], w[i], null, opts);
        sn.F.maxPool2d(y, { kernelSize: 2, ceilMode: true }).backward(sn.ones(sn.F.maxPool2d(y, { kernelSize: 2, ceilMode: true }).shape));
      });
    });
    step();
    const live = backend().heap.stats().liveBytes;
    for (let i = 0; i < 3; i++) step();
    expect(backend().heap.stats().liveBytes).toBe(live);
  });
});

describe('F.conv2d gradcheck (finite differences)', () => {
  const cases: [string, number[], number[], boolean, sn.F.Conv2dOptions][] = [
    ['3x3 stride 2 pad 1', [2, 2, 5, 6], [3, 2, 3, 3], true, { stride: 2, padding: 1 }],
    ['rectangular, per-axis stride/padding/dilation', [1, 2, 6, 7], [2, 2, 2, 3], true, { stride: [1, 2], padding: [1, 0], dilation: [2, 1] }],
    ['groups 2', [1, 4, 5, 5], [4, 2, 3, 3], true, { padding: 1, groups: 2 }],
    ['depthwise with multiplier', [2, 2, 4, 4], [4, 1, 3, 3], false, { groups: 2, padding: 1 }],
    ['1x1', [2, 3, 3, 3], [2, 3, 1, 1], true, {}],
    ["'same' even kernel", [1, 1, 5, 4], [2, 1, 2, 2], false, { padding: 'same' }],
    ['3x3 on 16 channels (Winograd)', [1, 16, 3, 4], [16, 16, 3, 3], true, { padding: 1 }],
  ];
  for (const [name, xs, ws, bias, opts] of cases) {
    it(name, () => {
      const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const inputs = [
        { data: randomArray(n(xs), 11), shape: xs },
        { data: randomArray(n(ws), 12), shape: ws },
        ...(bias ? [{ data: randomArray(ws[0], 13), shape: [ws[0]] }] : []),
      ];
      const r = gradcheck((x, w, b) => sn.F.conv2d(x, w, b ?? null, opts), inputs);
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }
});

/** Runs forward and both backward passes through one path, returning all three results. */
function runPath(xs: number[], ws: number[], opts: sn.F.Conv2dOptions, path: ConvPath, seed = 1, orientation?: ForwardOrientation) {
  const x = sn.tensor(randomArray(xs.reduce((a, b) => a * b), seed), xs);
  const w = sn.tensor(randomArray(ws.reduce((a, b) => a * b), seed + 1), ws);
  const b = sn.tensor(randomArray(ws[0], seed + 2), [ws[0]]);
  const g = convGeometry('conv2d', x, w, b, opts);
  const y = sn.zeros([g.N, g.OC, g.OH, g.OW]);
  const gy = sn.tensor(randomArray(y.size, seed + 3), y.shape);
  const gx = sn.zeros(xs), gw = sn.zeros(ws);
  convForward(g, x.ptr(), w.ptr(), b.ptr(), y.ptr(), path, orientation);
  convBackwardData(g, gy.ptr(), w.ptr(), gx.ptr(), path);
  convBackwardFilter(g, x.ptr(), gy.ptr(), gw.ptr(), path);
  return { x, w, b, gy, g, y: y.toFloat32Array(), gx: gx.toFloat32Array(), gw: gw.toFloat32Array() };
}

describe('conv2d paths agree', () => {
  it('1x1 direct GEMM equals im2col (groups 1 and 2)', () => {
    for (const groups of [1, 2]) {
      const a = runPath([2, 6, 5, 7], [4, 6 / groups, 1, 1], { groups }, 'direct1x1');
      const b = runPath([2, 6, 5, 7], [4, 6 / groups, 1, 1], { groups }, 'im2col');
      // im2col of a 1x1 kernel is an exact copy, so the GEMMs see the same numbers
      expect(bitsEqual(a.y, b.y)).toBe(true);
      expect(bitsEqual(a.gx, b.gx)).toBe(true);
      expect(bitsEqual(a.gw, b.gw)).toBe(true);
    }
  });

  it('forward orientations W·col and colᵀ·Wᵀ give the same bits (1x1 direct, im2col, groups, bands)', () => {
    const layers: [number[], number[], sn.F.Conv2dOptions, ConvPath][] = [
      [[2, 6, 5, 7], [10, 3, 1, 1], { groups: 2 }, 'direct1x1'],
      [[1, 4, 9, 8], [7, 4, 3, 3], { padding: 1, stride: [2, 1] }, 'im2col'],
      [[1, 16, 100, 90], [6, 8, 3, 3], { padding: 1, groups: 2 }, 'im2col'],
      [[64, 6, 14, 14], [16, 6, 5, 5], {}, 'im2col'], // LeNet conv2: colᵀ·Wᵀ bands span images
      [[5, 4, 7, 6], [6, 2, 3, 2], { groups: 2, stride: [2, 1], padding: 1 }, 'im2col'],
    ];
    for (const [xs, ws, opts, path] of layers) {
      const a = runPath(xs, ws, opts, path, 3, 'wcol');
      const b = runPath(xs, ws, opts, path, 3, 'colw');
      expect(bitsEqual(a.y, b.y)).toBe(true);
    }
  });

  it('Winograd F(2x2,3x3) / F(3x3,2x2) agrees with im2col (forward, data and filter gradients)', () => {
    const layers: [number[], number[], sn.F.Conv2dOptions][] = [
      [[1, 16, 8, 8], [16, 16, 3, 3], { padding: 1 }],
      [[2, 17, 7, 9], [19, 17, 3, 3], { padding: 1 }], // odd sizes: partial tiles, tiles spanning images
      [[3, 16, 5, 6], [20, 16, 3, 3], {}],
      [[1, 16, 6, 5], [16, 16, 3, 3], { padding: 2 }],
      [[2, 16, 9, 4], [16, 16, 3, 3], { padding: [0, 1] }],
      [[4, 32, 14, 14], [48, 32, 3, 3], { padding: 1 }],
      [[1, 16, 160, 70], [24, 16, 3, 3], { padding: 1 }], // several bands
    ];
    forceWinogradTile(2); // F(4x4,3x3) has its own tests (conv2d-winograd-f4.test.ts)
    for (const [xs, ws, opts] of layers) {
      const a = runPath(xs, ws, opts, 'winograd', 4);
      expect(choosePath(a.g)).toBe('winograd');
      const b = runPath(xs, ws, opts, 'im2col', 4);
      expect(maxRelErr(a.y, b.y, 1e-5, 1e-4), `forward ${xs} ${ws}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(a.gx, b.gx, 1e-5, 1e-4), `data gradient ${xs} ${ws}`).toBeLessThanOrEqual(1);
      // sums over up to 11,200 pixels: float32 rounding differs by ~1e-4 relative between the two
      expect(maxRelErr(a.gw, b.gw, 1e-3, 1e-3), `filter gradient ${xs} ${ws}`).toBeLessThanOrEqual(1);
    }
    forceWinogradTile(null);
  });

  it('Winograd is not used where it does not apply', () => {
    const geom = (xs: number[], ws: number[], opts: sn.F.Conv2dOptions) => convGeometry('conv2d', sn.zeros(xs), sn.zeros(ws), null, opts);
    expect(choosePath(geom([1, 16, 8, 8], [16, 16, 3, 3], { stride: 2 }))).toBe('im2col');
    expect(choosePath(geom([1, 16, 8, 8], [16, 16, 3, 3], { dilation: 2 }))).toBe('im2col');
    expect(choosePath(geom([1, 16, 8, 8], [16, 8, 3, 3], { groups: 2 }))).toBe('im2col');
    expect(choosePath(geom([1, 16, 8, 8], [16, 16, 3, 3], { padding: 3 }))).toBe('im2col');
    expect(choosePath(geom([1, 3, 8, 8], [16, 3, 3, 3], { padding: 1 }))).toBe('im2col');
    expect(choosePath(geom([1, 16, 8, 8], [16, 16, 1, 1], {}))).toBe('direct1x1');
  });

  it('several row bands match the float64 reference (groups, stride, dilation)', () => {
    const xs = [2, 16, 100, 90], ws = [6, 8, 3, 3];
    const opts = { stride: 1, padding: 2, dilation: 2, groups: 2 };
    const r = runPath(xs, ws, opts, 'im2col', 5);
    expect(bandRows(r.g)).toBeLessThan(r.g.OH); // really split into bands
    const ref = refConv(refGeometry(xs, ws, opts), r.x.toFloat32Array(), r.w.toFloat32Array(), r.b.toFloat32Array(), r.gy.toFloat32Array());
    expect(maxRelErr(r.y, ref.y, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(maxRelErr(r.gx, ref.gx, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(maxRelErr(r.gw, ref.gw, 1e-3, 1e-4)).toBeLessThanOrEqual(1);
  });

  it('stride 4 with 11x11 kernel matches the reference', () => {
    const xs = [2, 3, 35, 35], ws = [5, 3, 11, 11];
    const opts = { stride: 4, padding: 1 };
    const r = runPath(xs, ws, opts, 'im2col', 9);
    const ref = refConv(refGeometry(xs, ws, opts), r.x.toFloat32Array(), r.w.toFloat32Array(), r.b.toFloat32Array(), r.gy.toFloat32Array());
    expect(maxRelErr(r.y, ref.y, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(maxRelErr(r.gx, ref.gx, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(maxRelErr(r.gw, ref.gw, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
  });
});

describe('conv2d kernels split over threads give the same bits', () => {
  // Runs kernel `name` as `nthreads` consecutive calls (tid 0..n-1), as the pool would.
  const split = (name: string, args: number[], nthreads: number) => {
    const k = backend().kernels[name];
    for (let tid = 0; tid < nthreads; tid++) k(...args, tid, nthreads);
  };
  it('im2col, col2imAdd, convBiasGrad, transposeRows, addBiasPlanes', () => {
    const x = sn.tensor(randomArray(3 * 9 * 11, 3), [1, 3, 9, 11]);
    const geo = [3, 9, 11, 3, 2, 2, 1, 1, 1, 1, 2]; // C H W kH kW sH sW pH pW dH dW
    const OW = 6, OH = 5;
    const rows = 3 * 3 * 2;
    for (const nthreads of [1, 2, 3, 7]) {
      const col = sn.zeros([rows * OH * OW]);
      split('im2col', [x.ptr(), ...geo, OW, OH, 1, 4, col.ptr()], nthreads);
      const dx = sn.zeros([3 * 9 * 11]);
      split('col2imAdd', [col.ptr(), ...geo, OW, 1, 4, dx.ptr()], nthreads);
      const db = sn.zeros([3]);
      split('convBiasGrad', [x.ptr(), 1, 3, 99, db.ptr()], nthreads);
      // pixels 3..20 of images with 6 pixels and 7 channels, written to channels 2..6
      const planes = sn.zeros([4 * 7 * 6]);
      split('transposeRows', [x.ptr(), 3, 20, 5, x.ptr(), planes.ptr(), 7, 2, 6], nthreads);
      const biased = sn.tensor(randomArray(7 * 6, 4), [7 * 6]);
      split('addBiasPlanes', [biased.ptr(), 7, 5, 6, x.ptr()], nthreads);
      const key = [col, dx, db, planes, biased].map((v) => Array.from(new Uint32Array(v.toFloat32Array().buffer)).join(','));
      if (nthreads === 1) (globalThis as Record<string, unknown>).__one = key;
      else expect(key).toEqual((globalThis as Record<string, unknown>).__one);
    }
  });
});

describe('Winograd kernels split over threads give the same bits', () => {
  it('weights (plain and flipped), input and output transforms, the 16 GEMMs, the filter-gradient kernels', () => {
    const k = backend().kernels;
    const [N, C, H, W, O] = [2, 5, 7, 9, 6];
    const tilesH = 4, tilesW = 5, R0 = 1, R1 = 7, Tb = (R1 - R0) * tilesW;
    const x = sn.tensor(randomArray(N * C * H * W, 5), [N * C * H * W]);
    const w = sn.tensor(randomArray(O * C * 9, 6), [O * C * 9]);
    const lf = k.winogradLineFloats(tilesW);
    const line = sn.zeros([8 * 4 * lf]);
    const u = sn.zeros([16 * O * C]), uf = sn.zeros([16 * O * C]);
    const v = sn.zeros([16 * C * Tb]), m = sn.zeros([16 * O * Tb + 4]);
    const y = sn.zeros([N * O * H * W]);
    const bias = sn.tensor(randomArray(O, 7), [O]);
    const scratch = sn.zeros([5 * k.gemmScratchFloats()]); // one GEMM packing area per simulated thread
    const gy = sn.tensor(randomArray(N * O * H * W, 8), [N * O * H * W]);
    const dt = sn.zeros([16 * O * Tb]), s = sn.zeros([16 * O * C]), dw = sn.zeros([O * C * 9]);
    let first: string[] | null = null;
    for (const nthreads of [1, 2, 3, 5]) {
      for (const t of [u, uf, v, m, y, dt, s, dw]) t.view().fill(NaN);
      m.view().fill(0);
      const run = (name: string, args: number[]) => { for (let tid = 0; tid < nthreads; tid++) k[name](...args, tid, nthreads); };
      run('winogradWeights', [w.ptr(), O, C, 0, u.ptr()]);
      run('winogradWeights', [w.ptr(), C, O, 1, uf.ptr()]);
      run('winogradInput', [x.ptr(), C, H, W, 1, 1, tilesH, tilesW, R0, R1, v.ptr(), line.ptr()]);
      run('winogradGemms', [u.ptr(), v.ptr(), m.ptr(), O, C, Tb, scratch.ptr()]);
      y.view().fill(0);
      run('winogradOutput', [m.ptr(), O, H, W, tilesH, tilesW, R0, R1, bias.ptr(), y.ptr()]);
      // filter gradient: dy tiles, S = Σ D·Vᵀ over two bands' worth (accumulate), output transform
      run('winogradGradTiles', [gy.ptr(), O, H, W, tilesH, tilesW, R0, R1, dt.ptr(), line.ptr()]);
      run('winogradGradGemms', [dt.ptr(), v.ptr(), s.ptr(), O, C, Tb, 0, scratch.ptr()]);
      run('winogradGradGemms', [dt.ptr(), v.ptr(), s.ptr(), O, C, Tb, 1, scratch.ptr()]);
      run('winogradGradOutput', [s.ptr(), O, C, dw.ptr()]);
      const key = [u, uf, v, m, y, dt, s, dw].map((t) => Array.from(new Uint32Array(t.toFloat32Array().buffer)).join(','));
      for (const t of [u, uf, v, dt, s, dw]) expect(t.toFloat32Array().some(Number.isNaN), 'every value written').toBe(false);
      if (first === null) first = key;
      else expect(key, `${nthreads} threads`).toEqual(first);
    }
  });
});

describe('Winograd one-dispatch kernels split over threads give the same bits', () => {
  it('winogradConvBands, winogradGradBands + winogradGradReduce with 1, 2, 3, 5 threads', () => {
    const k = backend().kernels;
    const [N, C, H, W, O] = [3, 6, 9, 10, 5]; // padding 1: output 9x10, 5x5 tiles per image
    const tilesW = 5, R = N * 5, rows = 2, P = 4;
    const x = sn.tensor(randomArray(N * C * H * W, 11), [N * C * H * W]);
    const dy = sn.tensor(randomArray(N * O * H * W, 12), [N * O * H * W]);
    const u = sn.tensor(randomArray(16 * O * C, 13), [16 * O * C]);
    const bias = sn.tensor(randomArray(O, 14), [O]);
    const vF = 16 * Math.max(C, O) * rows * tilesW, mF = 16 * Math.max(C, O) * rows * tilesW + 16, lF = 4 * k.winogradLineFloats(tilesW);
    const v = sn.zeros([5 * vF]), m = sn.zeros([5 * mF]), line = sn.zeros([5 * lF]), scratch = sn.zeros([5 * k.gemmScratchFloats()]);
    const y = sn.zeros([N * O * H * W]), s = sn.zeros([P * 16 * O * C]), dw = sn.zeros([O * C * 9]);
    let first: string | null = null;
    for (const nthreads of [1, 2, 3, 5]) {
      y.view().fill(NaN);
      dw.view().fill(NaN);
      const run = (name: string, args: number[]) => { for (let tid = 0; tid < nthreads; tid++) k[name](...args, tid, nthreads); };
      run('winogradConvBands', [x.ptr(), C, H, W, 1, 1, O, H, W, R, rows, u.ptr(), bias.ptr(), y.ptr(), v.ptr(), m.ptr(), line.ptr(), vF * 4, mF * 4, lF * 4, scratch.ptr()]);
      run('winogradGradBands', [x.ptr(), C, H, W, 1, 1, dy.ptr(), O, H, W, R, rows, P, s.ptr(), v.ptr(), m.ptr(), line.ptr(), vF * 4, mF * 4, lF * 4, scratch.ptr()]);
      run('winogradGradReduce', [s.ptr(), P, O, C, dw.ptr()]);
      for (const t of [y, dw]) expect(t.toFloat32Array().some(Number.isNaN), 'every value written').toBe(false);
      const key = [y, dw].map((t) => Array.from(new Uint32Array(t.toFloat32Array().buffer)).join(',')).join('|');
      if (first === null) first = key;
      else expect(key === first, `${nthreads} threads`).toBe(true);
    }
  });
});

describe('winogradConvChannels (threads split the output channels) gives the bits of winogradConvBands', () => {
  it('with 1, 2, 3, 5 threads, 23 output channels (partial GEMM row panels)', () => {
    const k = backend().kernels;
    const [N, C, H, W, O] = [2, 7, 9, 10, 23]; // padding 1: output 9x10, 5x5 tiles per image
    const tilesW = 5, R = N * 5, rows = 2;
    const x = sn.tensor(randomArray(N * C * H * W, 21), [N * C * H * W]);
    const u = sn.tensor(randomArray(16 * O * C, 22), [16 * O * C]);
    const bias = sn.tensor(randomArray(O, 23), [O]);
    const vF = 16 * C * R * tilesW, mF = 16 * O * R * tilesW + 16, lF = 4 * k.winogradLineFloats(tilesW);
    const v = sn.zeros([5 * vF]), m = sn.zeros([5 * mF]), line = sn.zeros([5 * lF]), scratch = sn.zeros([5 * k.gemmScratchFloats()]);
    const y = sn.zeros([N * O * H * W]);
    const bits = (nthreads: number, kernel: (tid: number) => void) => {
      y.view().fill(NaN);
      for (let tid = 0; tid < nthreads; tid++) kernel(tid);
      expect(y.toFloat32Array().some(Number.isNaN), 'every value written').toBe(false);
      return Array.from(new Uint32Array(y.toFloat32Array().buffer)).join(',');
    };
    const geometry = (rows: number) => [x.ptr(), C, H, W, 1, 1, O, H, W, R, rows, u.ptr(), bias.ptr(), y.ptr(), v.ptr(), m.ptr(), line.ptr()];
    const reference = bits(1, (tid) => k.winogradConvBands(...geometry(rows), vF * 4, mF * 4, lF * 4, scratch.ptr(), tid, 1));
    for (const nthreads of [1, 2, 3, 5]) {
      const own = bits(nthreads, (tid) => k.winogradConvChannels(...geometry(rows), vF * 4, mF * 4, lF * 4, 0, scratch.ptr(), tid, nthreads));
      expect(own === reference, `${nthreads} threads, own input transforms`).toBe(true);
      // one band of all R tile rows, its input transformed beforehand into one shared v
      for (let tid = 0; tid < nthreads; tid++) k.winogradInput(x.ptr(), C, H, W, 1, 1, 5, tilesW, 0, R, v.ptr(), line.ptr(), tid, nthreads);
      const shared = bits(nthreads, (tid) => k.winogradConvChannels(...geometry(R), 0, mF * 4, lF * 4, 1, scratch.ptr(), tid, nthreads));
      expect(shared === reference, `${nthreads} threads, shared input transform`).toBe(true);
    }
  });
});

describe('F.conv2d rejects bad input and allocates nothing', () => {
  const x = () => sn.zeros([1, 4, 8, 8]);
  const w = () => sn.zeros([8, 4, 3, 3]);
  const bad: [string, () => unknown, RegExp][] = [
    ['wrong channels', () => sn.F.conv2d(x(), sn.zeros([8, 3, 3, 3]), null), /conv2d: weight \[8,3,3,3\] expects 3 input channels, got input \[1,4,8,8\]/],
    ['wrong channels for groups', () => sn.F.conv2d(x(), sn.zeros([8, 4, 3, 3]), null, { groups: 2 }), /weight \[8,4,3,3\] with groups=2 expects 8 input channels, got input \[1,4,8,8\]/],
    ['outC not divisible by groups', () => sn.F.conv2d(x(), sn.zeros([6, 1, 3, 3]), null, { groups: 4 }), /6 output channels are not divisible by groups=4/],
    ['unbatched input', () => sn.F.conv2d(sn.zeros([4, 8, 8]), w(), null), /input must be 4-D NCHW, got \[4,8,8\].*unbatched/],
    ['weight rank', () => sn.F.conv2d(x(), sn.zeros([8, 4, 3]), null), /weight must be 4-D/],
    ['bias shape', () => sn.F.conv2d(x(), w(), sn.zeros([4])), /bias must be \[8\], got \[4\]/],
    ['kernel larger than padded input', () => sn.F.conv2d(sn.zeros([1, 4, 2, 2]), w(), null), /kernel 3x3 \(dilated 3x3\) is larger than the padded input 2x2/],
    ['dilated kernel too large', () => sn.F.conv2d(x(), w(), null, { dilation: 4 }), /dilated 9x9\) is larger than the padded input 8x8/],
    ['stride 0', () => sn.F.conv2d(x(), w(), null, { stride: 0 }), /stride must be a positive integer or a pair of them, got 0/],
    ['negative padding', () => sn.F.conv2d(x(), w(), null, { padding: -1 }), /padding must be a non-negative integer/],
    ['non-integer dilation', () => sn.F.conv2d(x(), w(), null, { dilation: 1.5 }), /dilation must be a positive integer/],
    ['bad pair', () => sn.F.conv2d(x(), w(), null, { stride: [1, 2, 3] as unknown as number }), /stride must be a positive integer or a pair of them, got \[1,2,3\]/],
    ['groups 0', () => sn.F.conv2d(x(), w(), null, { groups: 0 }), /groups must be a positive integer, got 0/],
    ['unknown option', () => sn.F.conv2d(x(), w(), null, { strides: 2 } as unknown as sn.F.Conv2dOptions), /unknown option 'strides'/],
    ["'same' with stride 2", () => sn.F.conv2d(x(), w(), null, { padding: 'same', stride: 2 }), /padding='same' needs stride 1/],
    ['weight not a tensor', () => sn.F.conv2d(x(), [1, 2] as unknown as sn.Tensor, null), /weight must be a Tensor, got an array/],
    ['disposed input', () => { const d = x(); d.dispose(); return sn.F.conv2d(d, w(), null); }, /conv2d: the tensor \[1,4,8,8\] was disposed/],
  ];
  for (const [name, fn, msg] of bad) {
    it(name, () => {
      const before = backend().heap.stats().liveBytes;
      let err: unknown;
      try { fn(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(sn.SimdnnError);
      expect(String((err as Error).message)).toMatch(msg);
      // only the argument tensors made by the test itself (x, w: 4 KiB at most) are new
      expect(backend().heap.stats().liveBytes - before).toBeLessThanOrEqual(2 * 1024 + 1152 + 64);
    });
  }
});
