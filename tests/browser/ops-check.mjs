// The functional ops (transcendentals, dropout masks, normalisations),
// outputs and input gradients, run wherever this module is imported; returns a
// hash of every output byte per thread count so Node and Chromium can be
// compared bit for bit.
import * as sn from '../../dist/index.js';
import { fnv1a, initCollectingWarnings, randomArray } from './check-lib.mjs';

// [4,16,33,33] = 69,696 values: above the one-thread cut-off, with odd tails.
const SHAPE = [4, 16, 33, 33];
const CASES = {
  tanh: (F, x) => F.tanh(x),
  sigmoid: (F, x) => F.sigmoid(x),
  softmax1: (F, x) => F.softmax(x, 1),
  logSoftmaxLast: (F, x) => F.logSoftmax(x, -1),
  dropout: (F, x) => F.dropout(x, { p: 0.3, seed: 12345 }),
  lrn: (F, x) => F.localResponseNorm(x, { size: 5, alpha: 5e-4, beta: 0.75, k: 2 }),
  lrnPow: (F, x) => F.localResponseNorm(x, { size: 4, alpha: 0.3, beta: 0.6, k: 1 }),
  batchNormTrain: (F, x) => F.batchNorm(x, sn.zeros([16]), sn.ones([16]), sn.full([16], 1.5), sn.full([16], 0.25), { training: true }),
  // Winograd, each tile forced: output, data gradient and (as an extra leaf) filter gradient
  winogradF2: (F, x) => winograd(F, x, 2),
  winogradF4: (F, x) => winograd(F, x, 4),
  winogradF6: (F, x) => winograd(F, x, 6), // forward and data gradient; the filter gradient is the model's F2/F4
};

function winograd(F, x, tile) {
  const w = sn.tensor(randomArray(24 * 16 * 9, 3).map((v) => v * 0.2), [24, 16, 3, 3], { requiresGrad: true });
  sn._internal.forceWinogradTile(tile);
  try {
    return { y: F.conv2d(x, w, null, { padding: 1 }), leaves: [w], tile };
  } finally {
    sn._internal.forceWinogradTile(null);
  }
}

export async function runOpsChecks(threadCounts = [1, 2]) {
  const runs = [];
  for (const threads of threadCounts) {
    await initCollectingWarnings(threads); // the warnings are not what this checks
    const hashes = {};
    for (const [name, f] of Object.entries(CASES)) {
      hashes[name] = sn.tidy(() => {
        const x = sn.tensor(randomArray(SHAPE.reduce((a, b) => a * b), 1).map((v) => v * 4), SHAPE, { requiresGrad: true });
        const out = f(sn.F, x);
        const y = out.y ?? out;
        sn._internal.forceWinogradTile(out.tile ?? null); // the backward passes take the same tile
        y.backward(sn.tensor(randomArray(y.size, 2), y.shape));
        sn._internal.forceWinogradTile(null);
        const leaves = (out.leaves ?? []).map((l) => `/${fnv1a(l.grad.toFloat32Array())}`).join('');
        const h = `${fnv1a(y.toFloat32Array())}/${fnv1a(x.grad.toFloat32Array())}${leaves}`;
        x.grad.dispose();
        return h;
      });
    }
    const info = sn.backendInfo();
    sn.shutdown();
    runs.push({ threads: info.threads, hashes });
  }
  return runs;
}
