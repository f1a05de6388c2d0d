// Convolution and pooling benchmark: simdnn (F.conv2d forward, data gradient,
// filter gradient; F.maxPool2d forward/backward) beside tfjs-backend-wasm
// (XNNPACK: conv2d, conv2dDerInput; it has no filter-gradient kernel) and
// onnxruntime-web (Conv / MaxPool, one-node models, inference only), one
// thread each, in the same run. GFLOP/s = 2·MACs / time for every pass (the
// data and filter gradients are GEMMs of the same size as the forward).
//
//   npm run build && node bench/conv.mjs [--quick] [--no-peers]
//
// Times are medians of repeated runs after warm-up. Backward passes time only
// `y.backward(gy)` on a freshly recorded graph whose only leaf needing a
// gradient is the input (data) or the weight (filter).
import * as sn from '../dist/index.js';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { onnxConvModel, onnxMaxPoolModel } from './lib/onnx-conv.mjs';
import { median, wholeCallSamples } from './lib/timing.mjs';
import { isDepthwise, pathOf } from './lib/conv-path.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const peers = !argv.includes('--no-peers');
const BUDGET_MS = quick ? 300 : 1500;

// Batch 32 only for the small layers: VGG conv3-64 at batch 32 is 118 GFLOP per pass.
const LAYERS = [
  { name: 'AlexNet conv1 227²×3→96 11x11/4', N: 1, C: 3, H: 227, W: 227, OC: 96, k: 11, s: 4, p: 0 },
  { name: 'VGG conv3-64 224² 64→64 3x3 p1', N: 1, C: 64, H: 224, W: 224, OC: 64, k: 3, s: 1, p: 1 },
  { name: 'ResNet 3x3 14² 256→256 p1', N: 1, C: 256, H: 14, W: 14, OC: 256, k: 3, s: 1, p: 1 },
  { name: 'ResNet 1x1 56² 256→64', N: 1, C: 256, H: 56, W: 56, OC: 64, k: 1, s: 1, p: 0 },
  { name: 'AlexNet conv1 227²×3→96 11x11/4', N: 32, C: 3, H: 227, W: 227, OC: 96, k: 11, s: 4, p: 0 },
  { name: 'ResNet 3x3 14² 256→256 p1', N: 32, C: 256, H: 14, W: 14, OC: 256, k: 3, s: 1, p: 1 },
  { name: 'ResNet 1x1 56² 256→64', N: 32, C: 256, H: 56, W: 56, OC: 64, k: 1, s: 1, p: 0 },
  { name: 'LeNet conv2 14²×6→16 5x5', N: 64, C: 6, H: 14, W: 14, OC: 16, k: 5, s: 1, p: 0 },
  // MobileNetV2's depthwise 3x3 layers (groups = C = OC).
  { name: 'MobileNetV2 dw 112² 32 3x3 p1', N: 1, C: 32, H: 112, W: 112, OC: 32, k: 3, s: 1, p: 1, groups: 32 },
  { name: 'MobileNetV2 dw 112² 96 3x3/2 p1', N: 1, C: 96, H: 112, W: 112, OC: 96, k: 3, s: 2, p: 1, groups: 96 },
  { name: 'MobileNetV2 dw 56² 144 3x3 p1', N: 1, C: 144, H: 56, W: 56, OC: 144, k: 3, s: 1, p: 1, groups: 144 },
  { name: 'MobileNetV2 dw 56² 144 3x3/2 p1', N: 1, C: 144, H: 56, W: 56, OC: 144, k: 3, s: 2, p: 1, groups: 144 },
  { name: 'MobileNetV2 dw 7² 960 3x3 p1', N: 1, C: 960, H: 7, W: 7, OC: 960, k: 3, s: 1, p: 1, groups: 960 },
  { name: 'MobileNetV2 dw 112² 32 3x3 p1', N: 8, C: 32, H: 112, W: 112, OC: 32, k: 3, s: 1, p: 1, groups: 32 },
].filter((L) => !argv.includes('--only-depthwise') || isDepthwise(L));
const POOL = { name: 'max pool 3x3/2 on 55²×96', N: 1, C: 96, H: 55, W: 55, k: 3, s: 2 };

const inPerGroup = (L) => L.C / (L.groups ?? 1);
const outSize = (L) => Math.floor((L.H + 2 * L.p - L.k) / L.s) + 1;
const macs = (L) => L.N * L.OC * outSize(L) ** 2 * inPerGroup(L) * L.k * L.k;
const data = (n, seed) => Float32Array.from({ length: n }, (_, i) => (((i + seed) * 7919) % 2001) / 1000 - 1);

/** Median ms of `fn` (which returns its own measured ms, or undefined to be timed whole). */
async function time(fn) {
  return median(await wholeCallSamples(fn, { budgetMs: BUDGET_MS }));
}

// ---- ours ----
async function oursConv(L) {
  const xs = [L.N, L.C, L.H, L.W];
  const ws = [L.OC, inPerGroup(L), L.k, L.k];
  const opts = { stride: L.s, padding: L.p, groups: L.groups ?? 1 };
  // kept: the noGrad forward timings are step boundaries, which free tensors made outside any scope
  const x = sn.keep(sn.tensor(data(xs.reduce((a, b) => a * b), 1), xs));
  const w = sn.keep(sn.tensor(data(ws.reduce((a, b) => a * b), 2).map((v) => v * 0.05), ws));
  const b = sn.keep(sn.tensor(data(L.OC, 3), [L.OC]));
  const O = outSize(L);
  const gy = sn.keep(sn.tensor(data(L.N * L.OC * O * O, 4), [L.N, L.OC, O, O]));
  const fwd = await time(() => { sn.noGrad(() => sn.F.conv2d(x, w, b, opts)).dispose(); });
  const backward = async (leaf) => time(() => {
    leaf.requiresGrad = true;
    const y = sn.F.conv2d(x, w, null, opts);
    const t0 = performance.now();
    y.backward(gy);
    const ms = performance.now() - t0;
    y.dispose();
    leaf.grad.dispose();
    leaf.grad = null;
    leaf.requiresGrad = false;
    return ms;
  });
  const bwdData = await backward(x);
  const bwdFilter = await backward(w);
  for (const t of [x, w, b, gy]) t.dispose();
  return { fwd, bwdData, bwdFilter };
}

async function oursPool(P) {
  const xs = [P.N, P.C, P.H, P.W];
  const x = sn.tensor(data(P.N * P.C * P.H * P.W, 5), xs);
  const opts = { kernelSize: P.k, stride: P.s };
  const fwd = await time(() => { sn.noGrad(() => sn.F.maxPool2d(x, opts)).dispose(); });
  const O = Math.floor((P.H - P.k) / P.s) + 1;
  const gy = sn.tensor(data(P.N * P.C * O * O, 6), [P.N, P.C, O, O]);
  const bwd = await time(() => {
    x.requiresGrad = true;
    const y = sn.F.maxPool2d(x, opts);
    const t0 = performance.now();
    y.backward(gy);
    const ms = performance.now() - t0;
    y.dispose(); x.grad.dispose(); x.grad = null; x.requiresGrad = false;
    return ms;
  });
  x.dispose(); gy.dispose();
  return { fwd, bwd };
}

// ---- peers ----
async function loadTfjs() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  wasm.setWasmPaths(join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  return tf;
}

async function tfjsConv(tf, L) {
  if (isDepthwise(L)) return tfjsDepthwise(tf, L);
  const O = outSize(L);
  const x = tf.tensor4d(data(L.N * L.H * L.W * L.C, 1), [L.N, L.H, L.W, L.C]);
  const f = tf.tensor4d(data(L.k * L.k * L.C * L.OC, 2), [L.k, L.k, L.C, L.OC]);
  const b = tf.tensor1d(data(L.OC, 3));
  const dy = tf.tensor4d(data(L.N * O * O * L.OC, 4), [L.N, O, O, L.OC]);
  const pad = L.p === 0 ? 'valid' : [[0, 0], [L.p, L.p], [L.p, L.p], [0, 0]];
  const fwd = await time(() => { tf.fused.conv2d({ x, filter: f, strides: L.s, pad, bias: b }).dispose(); });
  const bwdData = await time(() => { tf.conv2dTranspose(dy, f, [L.N, L.H, L.W, L.C], L.s, pad).dispose(); });
  for (const t of [x, f, b, dy]) t.dispose();
  return { fwd, bwdData };
}

/** Forward only (tfjs-backend-wasm has no depthwise gradient kernels). */
async function tfjsDepthwise(tf, L) {
  const x = tf.tensor4d(data(L.N * L.H * L.W * L.C, 1), [L.N, L.H, L.W, L.C]);
  const f = tf.tensor4d(data(L.k * L.k * L.C, 2), [L.k, L.k, L.C, 1]);
  const pad = L.p === 0 ? 'valid' : [[0, 0], [L.p, L.p], [L.p, L.p], [0, 0]];
  const fwd = await time(() => { tf.depthwiseConv2d(x, f, L.s, pad).dispose(); });
  x.dispose(); f.dispose();
  return { fwd };
}

async function tfjsPool(tf, P) {
  const x = tf.tensor4d(data(P.N * P.H * P.W * P.C, 5), [P.N, P.H, P.W, P.C]);
  const y = tf.maxPool(x, P.k, P.s, 'valid');
  const dy = tf.onesLike(y);
  const fwd = await time(() => { tf.maxPool(x, P.k, P.s, 'valid').dispose(); });
  const bwd = await time(() => {
    tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: P.k, strides: P.s, pad: 'valid' }).dispose();
  });
  for (const t of [x, y, dy]) t.dispose();
  return { fwd, bwd };
}

async function ortRun(ort, model, xs) {
  const session = await ort.InferenceSession.create(model);
  const feeds = { X: new ort.Tensor('float32', data(xs.reduce((a, b) => a * b), 1), xs) };
  const ms = await time(async () => { await session.run(feeds); });
  await session.release();
  return ms;
}

// ---- run ----
const fmt = (v, d = 1) => (v === undefined ? '—' : v.toFixed(d));
const gf = (m, ms) => (ms === undefined ? undefined : (2 * m) / (ms * 1e6));

const threadCounts = [1];
await sn.init({ threads: 1 });
const simd = sn.backendInfo().simd;
const ours = { 1: { conv: [], pool: null } };
for (const L of LAYERS) ours[1].conv.push(await oursConv(L));
ours[1].pool = await oursPool(POOL);
sn.shutdown();
try {
  await sn.init({ threads: 2 });
  threadCounts.push(2);
  ours[2] = { conv: [], pool: null };
  for (const L of LAYERS) ours[2].conv.push(await oursConv(L));
  ours[2].pool = await oursPool(POOL);
  sn.shutdown();
} catch (e) {
  if (!(e instanceof sn.SimdnnError)) throw e;
  console.log(`(2 threads unavailable in this build: ${e.message})\n`);
}

let tfjs = null, ort = null, ortLib = null;
if (peers) {
  const tf = await loadTfjs();
  tfjs = { conv: [], pool: null };
  for (const L of LAYERS) tfjs.conv.push(await tfjsConv(tf, L));
  tfjs.pool = await tfjsPool(tf, POOL);
  ortLib = await import('onnxruntime-web');
  ortLib.env.wasm.numThreads = 1;
  ort = { conv: [], pool: null };
  for (const L of LAYERS) {
    const w = data(L.OC * inPerGroup(L) * L.k * L.k, 2);
    ort.conv.push(await ortRun(ortLib, onnxConvModel(L, w, data(L.OC, 3)), [L.N, L.C, L.H, L.W]));
  }
  ort.pool = await ortRun(ortLib, onnxMaxPoolModel(POOL), [POOL.N, POOL.C, POOL.H, POOL.W]);
}

console.log(`# Convolution (Node ${process.version}, simd ${simd}; ms and GFLOP/s, medians)\n`);
const head = ['layer', 'batch', 'path', 'pass', ...threadCounts.flatMap((t) => [`ours ${t}T ms`, `ours ${t}T GFLOP/s`]),
  ...(threadCounts.includes(2) ? ['2T/1T'] : []), 'tfjs-wasm ms', 'tfjs GFLOP/s', 'ort-web 1T ms', 'ort GFLOP/s', 'ours 1T vs tfjs'];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
LAYERS.forEach((L, i) => {
  const m = macs(L);
  for (const [pass, key] of [['forward', 'fwd'], ['backward data', 'bwdData'], ['backward filter', 'bwdFilter']]) {
    const o = threadCounts.map((t) => ours[t].conv[i][key]);
    const tfms = tfjs ? tfjs.conv[i][key] : undefined;
    const ortms = ort && key === 'fwd' ? ort.conv[i] : undefined;
    const tfCell = tfjs && key === 'bwdFilter' ? 'no kernel' : fmt(tfms, 2);
    console.log(`| ${L.name} | ${L.N} | ${pathOf(L)} | ${pass} | ${o.map((ms) => `${fmt(ms, 2)} | ${fmt(gf(m, ms))}`).join(' | ')} | ` +
      `${threadCounts.includes(2) ? `x${(o[0] / o[1]).toFixed(2)} | ` : ''}${tfCell} | ${fmt(gf(m, tfms))} | ` +
      `${key === 'fwd' ? fmt(ortms, 2) : 'inference only'} | ${fmt(gf(m, ortms))} | ${tfms ? `x${(tfms / o[0]).toFixed(2)}` : '—'} |`);
  }
});
console.log(`\n# ${POOL.name} (batch ${POOL.N}), ms\n`);
console.log(`| pass | ${threadCounts.map((t) => `ours ${t}T`).join(' | ')} | tfjs-wasm | ort-web 1T |\n|---|${threadCounts.map(() => '---').join('|')}|---|---|`);
console.log(`| forward | ${threadCounts.map((t) => fmt(ours[t].pool.fwd, 3)).join(' | ')} | ${fmt(tfjs?.pool.fwd, 3)} | ${fmt(ort?.pool, 3)} |`);
console.log(`| backward | ${threadCounts.map((t) => fmt(ours[t].pool.bwd, 3)).join(' | ')} | ${fmt(tfjs?.pool.bwd, 3)} | inference only |`);
console.log('\nGFLOP/s = 2·N·OC·OH·OW·C·kH·kW / time for all three passes, for every library: for the Winograd rows this is ' +
  "'effective' GFLOP/s (the direct convolution's FLOPs; Winograd F(2x2,3x3) does 2.25x fewer multiplies, F(4x4,3x3) 4x). " +
  'tfjs-backend-wasm has no Conv2DBackpropFilter kernel; onnxruntime-web runs inference only (one thread here: its thread count is fixed at its first session).');
process.exit(0);
