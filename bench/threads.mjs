// Thread pool benchmark: GEMM at 1 and 2 threads (and 'auto' when it differs)
// for every shape, the speed-up, the cost of an empty parallel call, and the
// measured break-even sizes behind the one-thread cut-offs; in Node and in
// headless Chromium (cross-origin isolated page). Peer in the same run:
// onnxruntime-web MatMul with numThreads 2.
//
//   npm run build && node bench/threads.mjs [--quick] [--no-browser] [--no-cutoffs] [--only-cutoffs]
//
// `kernels` (named kernel calls) and the internal `gemm` are not public, so this suite bundles
// src/ itself (same esbuild options as dist/index.js) into .bench/.
import { build } from 'esbuild';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { onnxMatMulModel } from './lib/onnx-matmul.mjs';
import { wholeCallSamples } from './lib/timing.mjs';
import { emptyCallMicros, matmulMillis, cutoffRows, median } from './lib/threads-measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyCutoffs = argv.includes('--only-cutoffs');
const SHAPES = quick ? [[256, 256, 256], [512, 512, 512]]
  : [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [3136, 256, 2304], [64, 4096, 4096]];
// Shapes are [M, N, K]: 3136x2304x256 means M=3136, K=2304, N=256 (a ResNet conv as GEMM), 64x4096x4096 a batch-64 FC layer.
const label = ([M, N, K]) => `${M}x${K}x${N}`;
const gflops = ([M, N, K], ms) => (2 * M * N * K) / (ms * 1e6);
const fmt = (x, d = 2) => x.toFixed(d);

const internal = join(root, '.bench', 'threads-internal.js');
await build({
  stdin: {
    contents: `export * from './src/index.ts';
      export { kernels } from './src/runtime/kernel-calls.ts';
      export { gemm, GEMM_PARALLEL_MIN_MACS } from './src/ops/gemm.ts';
      export { ELEMENTWISE_PARALLEL_MIN } from './src/ops/launch.ts';
      export { CLAIM_ADDRESS } from './src/runtime/control-block.ts';`,
    resolveDir: root, loader: 'ts',
  },
  outfile: internal, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
  external: ['node:*'], minify: true, logLevel: 'warning',
});
const sn = await import(internal);

const cores = availableParallelism();
const threadCounts = [1, 2];
if (cores > 2) threadCounts.push('auto');
console.log(`# Thread pool (Node ${process.version}, ${cores} cores reported; 'auto' = ${cores}${cores <= 2 ? ', the same as 2: not rerun' : ''})\n`);

// ---- Node: ours ----
const node = [];
for (const threads of onlyCutoffs ? [] : threadCounts) {
  await sn.init({ threads });
  const run = { threads: sn.backendInfo().threads, emptyUs: emptyCallMicros(sn), roundTripUs: threads === 1 ? null : emptyCallMicros(sn, { roundTrip: true }), gemmMs: SHAPES.map((s) => matmulMillis(sn, ...s)) };
  sn.shutdown();
  node.push(run);
}

// ---- Node: peer, onnxruntime-web MatMul, numThreads 2 ----
ort.env.wasm.numThreads = 2;
const peer = [];
for (const [M, N, K] of onlyCutoffs ? [] : SHAPES) {
  const session = await ort.InferenceSession.create(onnxMatMulModel(M, N, K));
  const feeds = {
    A: new ort.Tensor('float32', Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [M, K]),
    B: new ort.Tensor('float32', Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [K, N]),
  };
  const times = await wholeCallSamples(() => session.run(feeds), { budgetMs: 500, maxRuns: 200 });
  peer.push({ median: median(times), best: Math.min(...times) });
  await session.release();
}

if (!onlyCutoffs) {
  const two = node.find((r) => r.threads === 2);
  const head = ['shape (MxKxN)', ...node.map((r) => `${r.threads}T ms`), ...node.map((r) => `${r.threads}T GFLOP/s`),
    'speed-up 1→2', 'speed-up 1→2 (best runs)', 'ort-web 2T GFLOP/s', 'ours 2T / ort 2T'];
  console.log('## GEMM, Node (sn.matmul; medians unless marked best)\n');
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  SHAPES.forEach((s, i) => {
    const ms = node.map((r) => r.gemmMs[i].median);
    console.log(`| ${label(s)} | ${ms.map((x) => fmt(x, 2)).join(' | ')} | ${ms.map((x) => fmt(gflops(s, x), 1)).join(' | ')} | ` +
      `x${fmt(node[0].gemmMs[i].median / two.gemmMs[i].median)} | x${fmt(node[0].gemmMs[i].best / two.gemmMs[i].best)} | ` +
      `${fmt(gflops(s, peer[i].median), 1)} | x${fmt(peer[i].median / two.gemmMs[i].median)} |`);
  });
  console.log(`\nEmpty parallel call, Node, median µs: ${node.map((r) => `${r.threads}T ${fmt(r.emptyUs, 3)}`).join(', ')}` +
    `; with a round trip to a worker (share 0 waits until a worker claims share 1): ${node.filter((r) => r.threads > 1).map((r) => `${r.threads}T ${fmt(r.roundTripUs, 3)}`).join(', ')}\n`);
}

// ---- Cut-offs ----
if (!argv.includes('--no-cutoffs')) {
  await sn.init({ threads: 2 });
  const { gemmRows, eltRows } = cutoffRows(sn, 2);
  sn.shutdown();
  const table = (title, rows, current) => {
    console.log(`## ${title} (now ${current})\n\n| size | work | 1T µs | 2T µs | 2T/1T (median of paired batches) | 2T/1T (best batches) |\n|---|---|---|---|---|---|`);
    for (const r of rows) console.log(`| ${r.size} | ${r.work} | ${fmt(r.one, 2)} | ${fmt(r.pool, 2)} | ${fmt(r.ratio)} | ${fmt(r.bestRatio)} |`);
    for (const [key, what] of [['ratio', 'median'], ['bestRatio', 'best batches']]) {
      const first = rows.findIndex((r, i) => rows.slice(i).every((q) => q[key] < 0.8));
      console.log(`smallest size from which 2 threads are ≥20% faster (${what}): ${first < 0 ? 'none' : `${rows[first].size} (${rows[first].work})`}`);
    }
    console.log('');
  };
  table('GEMM break-even (internal gemm, forced threads; work = MACs)', gemmRows, `GEMM_PARALLEL_MIN_MACS = ${sn.GEMM_PARALLEL_MIN_MACS}`);
  table('Element-wise break-even (add, forced threads; work = floats)', eltRows, `ELEMENTWISE_PARALLEL_MIN = ${sn.ELEMENTWISE_PARALLEL_MIN}`);
}

// ---- Chromium (page main thread, cross-origin isolated) ----
if (!argv.includes('--no-browser') && !onlyCutoffs) {
  const { serve } = await import('../scripts/serve.mjs');
  const { launchChromium } = await import('../scripts/chromium.mjs');
  const server = await serve({ isolated: true });
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/bench/lib/threads-page.html`);
    await page.waitForFunction(() => window.pageReady === true);
    const bshapes = SHAPES;
    const r = await page.evaluate(([t, s]) => window.benchThreads(t, s), [[1, 2], bshapes]);
    console.log(`## Chromium page (crossOriginIsolated=${r.crossOriginIsolated}, ${r.cores} cores reported)\n`);
    console.log('| shape | 1T ms | 2T ms | 1T GFLOP/s | 2T GFLOP/s | speed-up 1→2 | speed-up (best runs) |\n|---|---|---|---|---|---|---|');
    for (const s of bshapes) {
      const [one, two] = r.runs.map((run) => run.gemmMs[`${s[0]}x${s[1]}x${s[2]}`]);
      console.log(`| ${label(s)} | ${fmt(one.median)} | ${fmt(two.median)} | ${fmt(gflops(s, one.median), 1)} | ${fmt(gflops(s, two.median), 1)} | ` +
        `x${fmt(one.median / two.median)} | x${fmt(one.best / two.best)} |`);
    }
    console.log(`\nEmpty parallel call, Chromium page main thread (polling caller), median µs: ${r.runs.map((x) => `${x.threads}T ${fmt(x.emptyUs, 3)}`).join(', ')}` +
      `; with a round trip to a worker: ${r.runs.filter((x) => x.threads > 1).map((x) => `${x.threads}T ${fmt(x.roundTripUs, 3)}`).join(', ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}
