// Run by conv-relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (see relaxed-runner.ts for why): conv2d forward and gradients on each
// path, and the pools, with the baseline and the relaxed build; JSON on stdout.
import * as sn from '../../src/index.js';
import { forceWinogradTile } from '../../src/ops/conv2d/winograd-tile.js';
import { randomArray } from '../helpers.js';
import { CONV_RELAXED_LAYERS } from './conv-relaxed-cases.js';
import { printBothBuilds, toBase64 } from './relaxed-builds.js';

await printBothBuilds(() =>
  CONV_RELAXED_LAYERS.map(({ xs, ws, opts, tile }) => {
    forceWinogradTile(tile ?? null);
    const x = sn.tensor(randomArray(xs.reduce((a, b) => a * b), 1), xs, { requiresGrad: true });
    const w = sn.tensor(randomArray(ws.reduce((a, b) => a * b), 2), ws, { requiresGrad: true });
    const b = sn.tensor(randomArray(ws[0], 3), [ws[0]], { requiresGrad: true });
    const y = sn.F.conv2d(x, w, b, opts);
    const p = sn.F.avgPool2d(sn.F.maxPool2d(y, { kernelSize: 2, ceilMode: true }), { kernelSize: 1 });
    p.backward(sn.tensor(randomArray(p.size, 4), p.shape));
    return [y, p, x.grad!, w.grad!, b.grad!].map((t) => toBase64(t.toFloat32Array()));
  }));
