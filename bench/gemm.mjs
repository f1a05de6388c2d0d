// GEMM benchmark, one thread: simdnn (baseline and relaxed builds) beside
// tfjs-backend-wasm (XNNPACK) and onnxruntime-web, and the machine's wasm SIMD
// arithmetic ceiling (register-only mul+add / relaxed_madd chains,
// assembly/ceiling.ts). Prints GFLOP/s medians, each as a fraction of the
// ceiling of its own arithmetic, and simdnn's ratio to each peer.
//
//   node bench/gemm.mjs            (after `npm run build`; `npm run bench` does both)
//   BENCH_CLOCK=cpu node bench/run.mjs gemm   (CPU time: for a machine shared with other jobs)
//
// The relaxed build needs relaxed SIMD, which Node 20 only has behind
// --experimental-wasm-relaxed-simd: it runs in a child process started with
// that flag when this engine lacks it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestMs, clockName, medianMs, seededArray } from './lib/timing.mjs';
import { matMulModel } from './lib/onnx-model.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
// [M, K, N]: square, a conv-as-GEMM shape (ResNet 56x56 layer: 3136 pixels x 2304 = 3x3x256 -> 256), and a skinny one.
const SHAPES = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [3136, 2304, 256], [64, 4096, 4096]];
const label = ([M, K, N]) => (M === K && K === N ? `${M}³` : `${M}x${K}x${N}`);
const gflops = ([M, K, N], ms) => (2 * M * K * N) / ms / 1e6;
const inputs = ([M, K, N]) => ({ a: seededArray(M * K, 1 + M), b: seededArray(K * N, 2 + N) });

// ---- the wasm ceiling ---------------------------------------------------------

async function ceiling(wasmFile, fn) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const { instance } = await WebAssembly.instantiate(readFileSync(join(root, 'build', wasmFile)), { env: { memory } });
  const k = instance.exports;
  const params = 1024; // two f32 the kernel reads before its loop: s = 0.5, t = 1
  new Float32Array(memory.buffer, params, 2).set([0.5, 1]);
  const iters = 1 << 20;
  // The wall is what the machine can do at best: the fastest of the samples.
  const ms = await bestMs(() => k[fn](iters, params), { sampleMs: 40, samples: 9 });
  return (k.ceilingFlopsPerIter() * iters) / ms / 1e6;
}

// ---- simdnn -------------------------------------------------------------------

/** GFLOP/s of sn.matmul per shape, plus a few output values to cross-check the peers. */
async function simdnn(simd) {
  const sn = await import(join(root, 'dist', 'index.js'));
  await sn.init({ threads: 1, simd });
  if (sn.backendInfo().simd !== simd) throw new Error(`asked for simd=${simd}, got ${sn.backendInfo().simd}`);
  const out = {};
  for (const shape of SHAPES) {
    const [M, K, N] = shape;
    const { a, b } = inputs(shape);
    const A = sn.tensor(a, [M, K]);
    const B = sn.tensor(b, [K, N]);
    const ms = await medianMs(() => sn.matmul(A, B).dispose());
    const C = sn.matmul(A, B);
    out[label(shape)] = { gflops: gflops(shape, ms), sample: sample(C.toFloat32Array()) };
    [A, B, C].forEach((t) => t.dispose());
  }
  sn.shutdown();
  return out;
}

function sample(c) {
  const idx = [0, 1, 7, 8, 37, c.length >> 1, c.length - 9, c.length - 1];
  return idx.map((i) => c[i]);
}

// ---- peers --------------------------------------------------------------------

async function tfjsWasm() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Node: the emscripten loader reads the .wasm with fs from a plain path
  // prefix (a file:// URL fails), so point it at the package's dist folder.
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  const info = `SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'available (one used in Node)' : 'no'}`;
  const out = {};
  for (const shape of SHAPES) {
    const [M, K, N] = shape;
    const { a, b } = inputs(shape);
    const A = tf.tensor2d(a, [M, K]);
    const B = tf.tensor2d(b, [K, N]);
    // The wasm backend runs kernels synchronously inside the op call.
    const ms = await medianMs(() => tf.matMul(A, B).dispose());
    const C = tf.matMul(A, B);
    out[label(shape)] = { gflops: gflops(shape, ms), sample: sample(C.dataSync()) };
    [A, B, C].forEach((t) => t.dispose());
  }
  return { out, info };
}

async function onnxruntime() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const out = {};
  for (const shape of SHAPES) {
    const [M, K, N] = shape;
    const { a, b } = inputs(shape);
    const session = await ort.InferenceSession.create(matMulModel(M, K, N), { executionProviders: ['wasm'] });
    const feeds = { A: new ort.Tensor('float32', a, [M, K]), B: new ort.Tensor('float32', b, [K, N]) };
    // session.run includes copying A and B into its heap and C out: that is the API's cost.
    const ms = await medianMs(() => session.run(feeds));
    const C = (await session.run(feeds)).C.data;
    out[label(shape)] = { gflops: gflops(shape, ms), sample: sample(C) };
    await session.release();
  }
  return { out, info: `ort ${ort.env.versions?.web ?? ''}, numThreads 1` };
}

// ---- relaxed build, in a child when this engine needs the flag -----------------

const relaxedFlag = '--experimental-wasm-relaxed-simd';

async function relaxedPart() {
  return { results: await simdnn('relaxed'), ceiling: await ceiling('simdnn-relaxed.wasm', 'ceilingMadd') };
}

function runRelaxed() {
  const bytes = readFileSync(join(root, 'build', 'simdnn-relaxed.wasm'));
  const flags = WebAssembly.validate(bytes) ? [] : [relaxedFlag];
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--relaxed-child'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' / ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---- report -------------------------------------------------------------------

function cross(name, ref, other) {
  // Different summation orders and FMA: agree to a loose relative tolerance.
  for (const key of Object.keys(ref)) {
    const x = ref[key].sample, y = other[key]?.sample;
    if (!y) continue;
    for (let i = 0; i < x.length; i++) {
      if (Math.abs(x[i] - y[i]) > 1e-3 * Math.max(1, Math.abs(x[i]))) {
        throw new Error(`${name} ${key}: output differs from simdnn (${y[i]} vs ${x[i]}): not the same product`);
      }
    }
  }
}

const fmt = (v) => (v === undefined ? 'n/a' : v.toFixed(1));
const pct = (v, c) => (v === undefined || !c ? '' : ` (${Math.round((100 * v) / c)}%)`);
const ratio = (x, y) => (x === undefined || y === undefined ? 'n/a' : `${(x / y).toFixed(2)}x`);

async function main() {
  if (process.argv.includes('--relaxed-child')) {
    console.log(JSON.stringify(await relaxedPart()));
    return;
  }
  const t0 = performance.now();
  const ceilMulAdd = await ceiling('simdnn.wasm', 'ceilingMulAdd');
  const base = await simdnn('baseline');
  const relaxed = runRelaxed();
  const tf = await tfjsWasm();
  const ort = await onnxruntime();
  cross('tfjs-backend-wasm', base, tf.out);
  cross('onnxruntime-web', base, ort.out);
  if (relaxed.results) cross('simdnn relaxed', base, relaxed.results);

  console.log(`GEMM, 1 thread, GFLOP/s (median of 7, ${clockName}). Node ${process.version}; tfjs-backend-wasm: ${tf.info}; ${ort.info}`);
  console.log(`wasm ceiling (register-only f32x4 chains, fastest of 9): mul+add ${fmt(ceilMulAdd)} GFLOP/s, relaxed_madd ${relaxed.ceiling ? fmt(relaxed.ceiling) : 'n/a'} GFLOP/s`);
  if (relaxed.error) console.log(`simdnn relaxed: n/a (${relaxed.error})`);
  const rows = [['shape [MxKxN]', 'simdnn base (of mul+add)', 'simdnn relaxed (of madd)', 'tfjs-wasm', 'ort-web', 'base/tfjs', 'base/ort', 'relaxed/tfjs', 'relaxed/ort']];
  for (const shape of SHAPES) {
    const key = label(shape);
    const b = base[key].gflops, r = relaxed.results?.[key]?.gflops, t = tf.out[key].gflops, o = ort.out[key].gflops;
    rows.push([key, fmt(b) + pct(b, ceilMulAdd), fmt(r) + pct(r, relaxed.ceiling), fmt(t) + pct(t, ceilMulAdd), fmt(o) + pct(o, ceilMulAdd), ratio(b, t), ratio(b, o), ratio(r, t), ratio(r, o)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log('(peers in % of the mul+add ceiling; simdnn relaxed in % of the relaxed_madd ceiling)');
  console.log(`gemm suite: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

await main();
