// Winograd F(6x6,3x3) (forward, data gradient) forced on every Winograd layer:
// the PyTorch 1.13 fixtures, the float64 reference on the shapes that exercise
// its band and thread splits, the fused epilogue against the separate pass,
// the same bits on 1 and 2 threads, and the chooser's accuracy cap. (The conv
// tester, conv-paths.test.ts, runs it on every Winograd case as well.)
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { CONV_ALGORITHMS } from '../../src/ops/conv2d/algorithms.js';
import { choosePath } from '../../src/ops/conv2d/choose-path.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { convBackwardData, convForward } from '../../src/ops/conv2d/run.js';
import { forward as winograd6Forward } from '../../src/ops/conv2d/winograd-f6x6-3x3.js';
import { chooseWinogradTile, forceWinogradTile, WINOGRAD6_MAX_CHANNELS, winogradForwardFused } from '../../src/ops/conv2d/winograd-tile.js';
import { elementwiseThreads } from '../../src/ops/launch.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { bitsEqual, maxRelErr, randomArray } from '../helpers.js';
import { refConv, refGeometry } from './conv-reference.js';

afterEach(() => {
  forceWinogradTile(null);
  sn.shutdown();
});

interface Arr { shape: number[]; data: number[] }
interface Case { name: string; opts: Record<string, unknown>; x: Arr; w: Arr; b?: Arr; y: Arr; gy: Arr; gx: Arr; gw: Arr; gb?: Arr }
const load = (f: string): Case[] => JSON.parse(readFileSync(new URL(`../fixtures/${f}`, import.meta.url), 'utf8')).cases;
const t = (a: Arr, requiresGrad = false) => sn.tensor(new Float32Array(a.data), a.shape, { requiresGrad });
const pair = (v: unknown) => (Array.isArray(v) ? (v as [number, number]) : v);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const PATH = 'winograd-f6x6-3x3';

describe('conv2d with F(6x6,3x3) forced, against PyTorch 1.13', () => {
  for (const c of [...load('conv2d.json'), ...load('conv2d-winograd.json')]) {
    it(c.name, async () => {
      await sn.init({ threads: 1 });
      forceWinogradTile(6); // the filter gradient stays with the cost model's F(3x3,2x2) / F(3x3,4x4)
      const x = t(c.x, true), w = t(c.w, true), b = c.b ? t(c.b, true) : null;
      const opts = { stride: pair(c.opts.stride), padding: pair(c.opts.padding), dilation: pair(c.opts.dilation), groups: c.opts.groups };
      for (const k of Object.keys(opts) as (keyof typeof opts)[]) if (opts[k] === undefined) delete opts[k];
      const y = sn.F.conv2d(x, w, b, opts as sn.F.Conv2dOptions);
      expect(maxRelErr(y.toFloat32Array(), c.y.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      y.backward(t(c.gy));
      expect(maxRelErr(x.grad!.toFloat32Array(), c.gx.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      expect(maxRelErr(w.grad!.toFloat32Array(), c.gw.data, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    });
  }
});

/** Forward and data gradient through F(6x6,3x3), forced; weights uniform in ±wScale. */
function run(xs: number[], ws: number[], opts: sn.F.Conv2dOptions, seed = 1, wScale = 1) {
  const x = sn.tensor(randomArray(size(xs), seed), xs);
  const w = sn.tensor(randomArray(size(ws), seed + 1).map((v) => v * wScale), ws);
  const b = sn.tensor(randomArray(ws[0], seed + 2), [ws[0]]);
  const g = convGeometry('conv2d', x, w, b, opts);
  expect(CONV_ALGORITHMS[PATH].applies(g)).toBe(true);
  const y = sn.zeros([g.N, g.OC, g.OH, g.OW]);
  const gy = sn.tensor(randomArray(y.size, seed + 3), y.shape);
  const gx = sn.zeros(xs);
  convForward(g, x.ptr(), w.ptr(), b.ptr(), y.ptr(), PATH);
  convBackwardData(g, gy.ptr(), w.ptr(), gx.ptr(), PATH);
  return { x, w, b, gy, g, y: y.toFloat32Array(), gx: gx.toFloat32Array() };
}

const LAYERS: [number[], number[], { padding: number }][] = [
  [[1, 16, 12, 12], [16, 16, 3, 3], { padding: 1 }],
  [[2, 17, 7, 9], [19, 17, 3, 3], { padding: 1 }], // partial tiles, channels not multiples of 4, tiles spanning images
  [[3, 16, 5, 6], [20, 16, 3, 3], { padding: 0 }],
  [[1, 16, 6, 5], [16, 16, 3, 3], { padding: 2 }],
  [[4, 32, 14, 14], [48, 32, 3, 3], { padding: 1 }],
  [[1, 16, 161, 70], [24, 16, 3, 3], { padding: 1 }], // several bands; 70 columns: 12 tiles, three 4-tile groups
  [[2, 18, 23, 29], [21, 18, 3, 3], { padding: 1 }], // 29 columns: the last group has 1 tile, 5 valid columns
];

const normwise = (got: Float32Array, want: ArrayLike<number>) => {
  let err = 0, top = 0;
  got.forEach((v, i) => { err = Math.max(err, Math.abs(v - want[i])); top = Math.max(top, Math.abs(want[i])); });
  return err / top;
};

// F(6x6)'s rounding error is normwise, about 1e-5 of the largest output
// (bench winograd-error; F(4x4): about half), so the oracle's absolute 1e-4
// floor holds while outputs stay O(1): weights as the conv tester's (uniform
// ±0.3, ~2x He scale at these channel counts). With weights uniform in ±1
// (outputs up to ~30) only the normwise bound is asserted.
describe('F(6x6,3x3) against the float64 reference', () => {
  it('forward and data gradient, odd shapes, padding 0/1/2, batch > 1, several bands', async () => {
    await sn.init({ threads: 1 });
    for (const [xs, ws, opts] of LAYERS) {
      for (const wScale of [0.3, 1]) {
        const r = run(xs, ws, opts, 4, wScale);
        const ref = refConv(refGeometry(xs, ws, opts), r.x.toFloat32Array(), r.w.toFloat32Array(), r.b.toFloat32Array(), r.gy.toFloat32Array());
        const label = `${xs} ${ws} weights ±${wScale}`;
        expect(normwise(r.y, ref.y), `forward ${label}`).toBeLessThanOrEqual(5e-5);
        expect(normwise(r.gx, ref.gx), `data gradient ${label}`).toBeLessThanOrEqual(5e-5);
        if (wScale === 1) continue;
        expect(maxRelErr(r.y, ref.y, 1e-4, 1e-4), `forward ${label}`).toBeLessThanOrEqual(1);
        expect(maxRelErr(r.gx, ref.gx, 1e-4, 1e-4), `data gradient ${label}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('F(6x6,3x3) fused epilogue', () => {
  it('scale-shift / bias, residual and ReLU in the output transform give the separate pass\'s bits', async () => {
    await sn.init({ threads: 1 });
    for (const [xs, ws, opts] of [LAYERS[1], LAYERS[4], LAYERS[6]]) {
      const x = sn.tensor(randomArray(size(xs), 3), xs), w = sn.tensor(randomArray(size(ws), 4), ws);
      const g = convGeometry('conv2d', x, w, null, opts);
      const OC = ws[0], S = g.OH * g.OW;
      const scale = sn.tensor(randomArray(OC, 5), [OC]), shift = sn.tensor(randomArray(OC, 6), [OC]);
      const res = sn.tensor(randomArray(g.N * OC * S, 7), [g.N, OC, g.OH, g.OW]);
      for (const [sc, rs, relu] of [[true, true, true], [false, false, true], [true, false, false], [false, true, true]] as const) {
        const fused = sn.zeros(res.shape), plain = sn.zeros(res.shape);
        winograd6Forward(g, x.ptr(), w.ptr(), 0, fused.ptr(), { scale: sc ? scale.ptr() : 0, shift: shift.ptr(), residual: rs ? res.ptr() : 0, relu });
        winograd6Forward(g, x.ptr(), w.ptr(), 0, plain.ptr());
        kernels.affinePlanesInPlace({ y: plain.ptr(), planes: g.N * OC, C: OC, S, scale: sc ? scale.ptr() : 0, shift: shift.ptr(), src: rs ? res.ptr() : 0, relu: relu ? 1 : 0 }, elementwiseThreads(plain.size));
        expect(bitsEqual(fused.toFloat32Array(), plain.toFloat32Array()), `${xs} scale ${sc} residual ${rs} relu ${relu}`).toBe(true);
      }
    }
  });

  it('winogradForwardFused runs F(6x6) where the layer takes it', async () => {
    await sn.init({ threads: 1 });
    const [xs, ws, opts] = LAYERS[4];
    const x = sn.tensor(randomArray(size(xs), 3), xs), w = sn.tensor(randomArray(size(ws), 4), ws);
    const g = convGeometry('conv2d', x, w, null, opts);
    const y = sn.zeros([g.N, g.OC, g.OH, g.OW]);
    forceWinogradTile(6);
    expect(winogradForwardFused(g, x.ptr(), w.ptr(), { scale: 0, shift: 0, residual: 0, relu: true }, y.ptr())).toBe(true);
    const plain = sn.F.relu(sn.F.conv2d(x, w, null, opts)).toFloat32Array();
    expect(bitsEqual(y.toFloat32Array(), plain)).toBe(true);
  });
});

describe('F(6x6,3x3): 2 threads give the bits of 1', () => {
  const layers: [number[], number[], { padding: number }][] = [
    [[4, 32, 28, 28], [48, 32, 3, 3], { padding: 1 }], // bands dealt to threads
    [[1, 64, 14, 14], [64, 64, 3, 3], { padding: 1 }], // one band: output channels split, shared input transform
    [[1, 24, 56, 30], [40, 24, 3, 3], { padding: 1 }],
    [[2, 17, 7, 9], [19, 17, 3, 3], { padding: 1 }],
    [[1, 16, 18, 250], [64, 16, 3, 3], { padding: 1 }], // 2 uneven bands: output channels split, each thread transforms the input
  ];
  for (const [xs, ws, opts] of layers) {
    it(`${xs} → ${ws[0]}`, async () => {
      await sn.init({ threads: 1 });
      const one = run(xs, ws, opts, 9);
      sn.shutdown();
      await sn.init({ threads: 2 });
      expect(sn.backendInfo().threads).toBe(2);
      const two = run(xs, ws, opts, 9);
      expect(bitsEqual(two.y, one.y), 'forward').toBe(true);
      expect(bitsEqual(two.gx, one.gx), 'data gradient').toBe(true);
    });
  }
});

describe('choosing F(6x6,3x3)', () => {
  it('never for the filter gradient, never past the channel cap; a forced 6 leaves the filter gradient to the model', async () => {
    await sn.init({ threads: 1 });
    for (const H of [7, 14, 28, 56, 112, 224]) {
      for (const C of [16, 64, 256, 512, 1024]) {
        const s = { N: 8, Cin: C, Cout: C, OH: H, OW: H };
        expect(chooseWinogradTile(s, 'filter')).not.toBe(6);
        if (C > WINOGRAD6_MAX_CHANNELS) expect(chooseWinogradTile(s, 'forward'), `${C} channels ${H}²`).not.toBe(6);
      }
    }
    // The calibrated model (winograd-calibration.ts): VGG-16's 112² 128-channel layer takes
    // F(6x6), where it measured 1.16x F(4x4); 28² planes do not (6-wide tiles compute 30x30).
    expect(chooseWinogradTile({ N: 1, Cin: 128, Cout: 128, OH: 112, OW: 112 }, 'forward')).toBe(6);
    expect(chooseWinogradTile({ N: 1, Cin: 128, Cout: 128, OH: 28, OW: 28 }, 'forward')).not.toBe(6);
    const g = convGeometry('conv2d', sn.zeros([1, 32, 28, 28]), sn.zeros([48, 32, 3, 3]), null, { padding: 1 });
    forceWinogradTile(6);
    expect(choosePath(g, 'forward')).toBe(PATH);
    expect(choosePath(g, 'data')).toBe(PATH);
    expect(choosePath(g, 'filter')).not.toBe(PATH);
  });
});
