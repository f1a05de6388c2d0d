// Winograd F(4x4,3x3) (forward, data gradient) and F(3x3,4x4) (filter gradient),
// forced on every Winograd layer: the PyTorch 1.13 fixtures, the float64
// reference on odd shapes, the fused epilogue against the separate pass, and
// the same bits on 1 and 2 threads.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { CONV_ALGORITHMS } from '../../src/ops/conv2d/algorithms.js';
import { convBackwardData, convBackwardFilter, convForward } from '../../src/ops/conv2d/run.js';
import { forward as winograd4Forward } from '../../src/ops/conv2d/winograd-f4x4-3x3.js';
import { forceWinogradTile, winogradForwardFused } from '../../src/ops/conv2d/winograd-tile.js';
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

describe('conv2d with F(4x4,3x3) forced, against PyTorch 1.13', () => {
  for (const c of [...load('conv2d.json'), ...load('conv2d-winograd.json')]) {
    it(c.name, async () => {
      await sn.init({ threads: 1 });
      forceWinogradTile(4);
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

/** Forward and both gradients through the Winograd path with the forced tile. */
function run(xs: number[], ws: number[], opts: sn.F.Conv2dOptions, seed = 1) {
  const x = sn.tensor(randomArray(size(xs), seed), xs);
  const w = sn.tensor(randomArray(size(ws), seed + 1), ws);
  const b = sn.tensor(randomArray(ws[0], seed + 2), [ws[0]]);
  const g = convGeometry('conv2d', x, w, b, opts);
  expect(CONV_ALGORITHMS['winograd-f4x4-3x3'].applies(g)).toBe(true);
  const y = sn.zeros([g.N, g.OC, g.OH, g.OW]);
  const gy = sn.tensor(randomArray(y.size, seed + 3), y.shape);
  const gx = sn.zeros(xs), gw = sn.zeros(ws);
  convForward(g, x.ptr(), w.ptr(), b.ptr(), y.ptr(), 'winograd-f4x4-3x3');
  convBackwardData(g, gy.ptr(), w.ptr(), gx.ptr(), 'winograd-f4x4-3x3');
  convBackwardFilter(g, x.ptr(), gy.ptr(), gw.ptr(), 'winograd-f4x4-3x3');
  return { x, w, b, gy, g, y: y.toFloat32Array(), gx: gx.toFloat32Array(), gw: gw.toFloat32Array() };
}

const LAYERS: [number[], number[], { padding: number }][] = [
  [[1, 16, 8, 8], [16, 16, 3, 3], { padding: 1 }],
  [[2, 17, 7, 9], [19, 17, 3, 3], { padding: 1 }], // odd sizes, channels not multiples of 4, tiles spanning images
  [[3, 16, 5, 6], [20, 16, 3, 3], { padding: 0 }],
  [[1, 16, 6, 5], [16, 16, 3, 3], { padding: 2 }],
  [[4, 32, 14, 14], [48, 32, 3, 3], { padding: 1 }],
  [[1, 16, 161, 70], [24, 16, 3, 3], { padding: 1 }], // several bands
  [[2, 18, 23, 29], [21, 18, 3, 3], { padding: 1 }],
];

describe('F(4x4,3x3) / F(3x3,4x4) against the float64 reference', () => {
  it('forward, data and filter gradients, odd shapes, padding 0/1/2, batch > 1, several bands', async () => {
    await sn.init({ threads: 1 });
    forceWinogradTile(4);
    for (const [xs, ws, opts] of LAYERS) {
      const r = run(xs, ws, opts, 4);
      const ref = refConv(refGeometry(xs, ws, opts), r.x.toFloat32Array(), r.w.toFloat32Array(), r.b.toFloat32Array(), r.gy.toFloat32Array());
      expect(maxRelErr(r.y, ref.y, 1e-4, 1e-4), `forward ${xs} ${ws}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(r.gx, ref.gx, 1e-4, 1e-4), `data gradient ${xs} ${ws}`).toBeLessThanOrEqual(1);
      expect(maxRelErr(r.gw, ref.gw, 1e-3, 1e-4), `filter gradient ${xs} ${ws}`).toBeLessThanOrEqual(1);
    }
  });

  it('asymmetric padding [0, 1] agrees with the im2col path', async () => {
    await sn.init({ threads: 1 });
    forceWinogradTile(4);
    const xs = [2, 16, 9, 4], ws = [16, 16, 3, 3], opts = { padding: [0, 1] as [number, number] };
    const a = run(xs, ws, opts, 7);
    const x = sn.tensor(randomArray(size(xs), 7), xs), w = sn.tensor(randomArray(size(ws), 8), ws);
    const y = sn.zeros([2, 16, a.g.OH, a.g.OW]), gx = sn.zeros(xs), gw = sn.zeros(ws);
    convForward(a.g, x.ptr(), w.ptr(), a.b.ptr(), y.ptr(), 'im2col');
    convBackwardData(a.g, a.gy.ptr(), w.ptr(), gx.ptr(), 'im2col');
    convBackwardFilter(a.g, x.ptr(), a.gy.ptr(), gw.ptr(), 'im2col');
    // the PyTorch oracle's tolerances (F(4x4) rounds more than im2col: ±8 and 1/24 in its transforms)
    expect(maxRelErr(a.y, y.toFloat32Array(), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(maxRelErr(a.gx, gx.toFloat32Array(), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(maxRelErr(a.gw, gw.toFloat32Array(), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
  });
});

describe('F(4x4,3x3) fused epilogue', () => {
  it('scale-shift / bias, residual and ReLU in the output transform give the separate pass\'s bits', async () => {
    await sn.init({ threads: 1 });
    for (const [xs, ws, opts] of [LAYERS[1], LAYERS[4]]) {
      const x = sn.tensor(randomArray(size(xs), 3), xs), w = sn.tensor(randomArray(size(ws), 4), ws);
      const g = convGeometry('conv2d', x, w, null, opts);
      const OC = ws[0], S = g.OH * g.OW;
      const scale = sn.tensor(randomArray(OC, 5), [OC]), shift = sn.tensor(randomArray(OC, 6), [OC]);
      const res = sn.tensor(randomArray(g.N * OC * S, 7), [g.N, OC, g.OH, g.OW]);
      for (const [sc, rs, relu] of [[true, true, true], [false, false, true], [true, false, false], [false, true, true]] as const) {
        const fused = sn.zeros(res.shape), plain = sn.zeros(res.shape);
        winograd4Forward(g, x.ptr(), w.ptr(), 0, fused.ptr(), { scale: sc ? scale.ptr() : 0, shift: shift.ptr(), residual: rs ? res.ptr() : 0, relu });
        winograd4Forward(g, x.ptr(), w.ptr(), 0, plain.ptr());
        kernels.affinePlanesInPlace({ y: plain.ptr(), planes: g.N * OC, C: OC, S, scale: sc ? scale.ptr() : 0, shift: shift.ptr(), src: rs ? res.ptr() : 0, relu: relu ? 1 : 0 }, elementwiseThreads(plain.size));
        expect(bitsEqual(fused.toFloat32Array(), plain.toFloat32Array()), `${xs} scale ${sc} residual ${rs} relu ${relu}`).toBe(true);
      }
    }
  });

  it('winogradForwardFused runs only where the layer takes F(4x4,3x3)', async () => {
    await sn.init({ threads: 1 });
    const [xs, ws, opts] = LAYERS[4];
    const x = sn.tensor(randomArray(size(xs), 3), xs), w = sn.tensor(randomArray(size(ws), 4), ws);
    const g = convGeometry('conv2d', x, w, null, opts);
    const y = sn.zeros([g.N, g.OC, g.OH, g.OW]);
    const epi = { scale: 0, shift: 0, residual: 0, relu: true };
    forceWinogradTile(2);
    expect(winogradForwardFused(g, x.ptr(), w.ptr(), epi, y.ptr())).toBe(false);
    expect(y.toFloat32Array().every((v) => v === 0)).toBe(true);
    forceWinogradTile(4);
    expect(winogradForwardFused(g, x.ptr(), w.ptr(), epi, y.ptr())).toBe(true);
    const plain = sn.F.relu(sn.F.conv2d(x, w, null, opts)).toFloat32Array();
    expect(bitsEqual(y.toFloat32Array(), plain)).toBe(true);
    const strided = convGeometry('conv2d', x, w, null, { padding: 1, stride: 2 });
    expect(winogradForwardFused(strided, x.ptr(), w.ptr(), epi, y.ptr())).toBe(false);
  });
});

describe('F(4x4,3x3): 2 threads give the bits of 1', () => {
  const layers: [number[], number[], { padding: number }][] = [
    [[4, 32, 28, 28], [48, 32, 3, 3], { padding: 1 }], // bands dealt to threads, filter partials
    [[1, 64, 14, 14], [64, 64, 3, 3], { padding: 1 }], // one band: output channels split
    [[1, 24, 56, 30], [40, 24, 3, 3], { padding: 1 }],
    [[2, 17, 7, 9], [19, 17, 3, 3], { padding: 1 }],
    [[3, 48, 7, 7], [40, 48, 3, 3], { padding: 1 }], // one band: the filter gradient's GEMMs dealt to threads
    [[1, 16, 12, 160], [64, 16, 3, 3], { padding: 1 }], // 2 uneven bands: output channels split, each thread transforms the input
  ];
  for (const [xs, ws, opts] of layers) {
    it(`${xs} → ${ws[0]}`, async () => {
      await sn.init({ threads: 1 });
      forceWinogradTile(4);
      const one = run(xs, ws, opts, 9);
      sn.shutdown();
      await sn.init({ threads: 2 });
      expect(sn.backendInfo().threads).toBe(2);
      const two = run(xs, ws, opts, 9);
      expect(bitsEqual(two.y, one.y), 'forward').toBe(true);
      expect(bitsEqual(two.gx, one.gx), 'data gradient').toBe(true);
      expect(bitsEqual(two.gw, one.gw), 'filter gradient').toBe(true);
    });
  }
});
