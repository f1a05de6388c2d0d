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
};

export async function runOpsChecks(threadCounts = [1, 2]) {
  const runs = [];
  for (const threads of threadCounts) {
    await initCollectingWarnings(threads); // the warnings are not what this checks
    const hashes = {};
    for (const [name, f] of Object.entries(CASES)) {
      hashes[name] = sn.tidy(() => {
        const x = sn.tensor(randomArray(SHAPE.reduce((a, b) => a * b), 1).map((v) => v * 4), SHAPE, { requiresGrad: true });
        const y = f(sn.F, x);
        y.backward(sn.tensor(randomArray(y.size, 2), y.shape));
        const h = `${fnv1a(y.toFloat32Array())}/${fnv1a(x.grad.toFloat32Array())}`;
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
