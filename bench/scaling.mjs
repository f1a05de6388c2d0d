// Thread scaling past this machine's cores: GEMM, convolution, ResNet-50
// inference and LeNet-5 training at 1, 2, 4, 8, 16 threads (those the machine
// has), with the speed-up over 1 thread. Needs only dist/ (no peers), so it
// also runs on a bigger machine with just Node and the built package:
//
//   npm run build && node bench/run.mjs scaling      (SCALING_THREADS=1,2,4 to choose)
import { availableParallelism } from 'node:os';
import * as sn from '../dist/index.js';
import { medianMs, seededArray } from './lib/timing.mjs';
import { lenetImagesPerSec } from './lib/lenet-train.mjs';

const cores = availableParallelism();
const counts = (process.env.SCALING_THREADS ?? '1,2,4,8,16').split(',').map(Number).filter((t) => t <= cores);
const quick = { warmupMs: 150, sampleMs: 60, samples: 5 };

async function measure(threads) {
  await sn.init({ threads });
  const r = { threads: sn.backendInfo().threads };
  const a = sn.randn([1024, 1024], { seed: 1 });
  const b = sn.randn([1024, 1024], { seed: 2 });
  r.gemmGflops = (2 * 1024 ** 3) / ((await medianMs(() => sn.matmul(a, b).dispose(), quick)) * 1e6);
  // VGG conv3-64 at 224² (64→64, 3x3, pad 1), batch 1, forward.
  const x = sn.randn([1, 64, 224, 224], { seed: 3 });
  const w = sn.randn([64, 64, 3, 3], { seed: 4 });
  const convMs = await medianMs(() => sn.F.conv2d(x, w, null, { padding: 1 }).dispose(), quick);
  r.convGflops = (2 * 224 * 224 * 64 * 64 * 9) / (convMs * 1e6);
  const model = sn.models.resnet50({ seed: 1 });
  model.eval();
  const img = sn.randn([1, 3, 224, 224], { seed: 5 });
  r.resnet50Ms = await medianMs(() => sn.noGrad(() => sn.tidy(() => void model.forward(img))), { warmupMs: 300, warmupCalls: 2, sampleMs: 1, samples: 5 });
  sn.shutdown();
  r.lenetImgs = (await lenetImagesPerSec(sn, { threads, sampleMs: 100, samples: 5 })).imagesPerSec;
  return r;
}

console.log(`# Thread scaling (Node ${process.version}, ${cores} cores reported, baseline SIMD)\n`);
const rows = [];
for (const t of counts) rows.push(await measure(t));
const base = rows[0];
const f = (x, d = 1) => x.toFixed(d);
console.log('| threads | GEMM 1024³ GFLOP/s | x | conv 224²×64→64 GFLOP/s | x | ResNet-50 b1 ms | x | LeNet-5 train img/s | x |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.threads} | ${f(r.gemmGflops)} | ${f(r.gemmGflops / base.gemmGflops, 2)} | ${f(r.convGflops)} | ${f(r.convGflops / base.convGflops, 2)} | ` +
    `${f(r.resnet50Ms)} | ${f(base.resnet50Ms / r.resnet50Ms, 2)} | ${f(r.lenetImgs, 0)} | ${f(r.lenetImgs / base.lenetImgs, 2)} |`);
}
