// Where a LeNet-5 training step's time goes: every wasm kernel call is timed
// (the pool's run() wrapped), summed per kernel, and the rest of the step is
// the JavaScript around them (op checks, tensor bookkeeping, autograd, tidy).
// Batch 64, 1x32x32, SGD momentum 0.9, pre-made batch.
// Run: npm run build:wasm && node scripts/profile-lenet.mjs [threads=1] [steps=200]
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const internal = join(root, '.bench', 'profile-internal.js');
await build({
  stdin: { contents: "export * from './src/index.ts'; export { backend } from './src/runtime/backend.ts';", resolveDir: root, loader: 'ts' },
  outfile: internal, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', external: ['node:*'], minify: true, logLevel: 'warning',
});
const sn = await import(internal);
const threads = Number(process.argv[2] ?? 1), steps = Number(process.argv[3] ?? 200);
await sn.init({ threads });

const model = sn.models.lenet5({ numClasses: 10, seed: 1 });
const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const x = sn.keep(sn.rand([64, 1, 32, 32], { seed: 2 }));
const y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
const phase = { forward: 0, backward: 0, step: 0, zeroGrad: 0 };
const step = (timed) => sn.tidy(() => {
  let t = performance.now();
  const loss = sn.F.crossEntropy(model.forward(x), y);
  let u = performance.now(); if (timed) phase.forward += u - t; t = u;
  opt.zeroGrad();
  u = performance.now(); if (timed) phase.zeroGrad += u - t; t = u;
  loss.backward();
  u = performance.now(); if (timed) phase.backward += u - t; t = u;
  opt.step();
  u = performance.now(); if (timed) phase.step += u - t;
});
for (let i = 0; i < 30; i++) step(false);

const pool = sn.backend().pool;
const run = pool.run.bind(pool);
const perKernel = new Map();
pool.run = (name, args, t) => {
  const t0 = performance.now();
  run(name, args, t);
  // GEMMs are told apart by shape (transA, transB, M, N, K): which layer and pass they serve.
  if (name === 'gemm') name = `gemm ${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} ${args[2]}x${args[3]}x${args[4]}`;
  const e = perKernel.get(name) ?? { ms: 0, calls: 0 };
  e.ms += performance.now() - t0;
  e.calls++;
  perKernel.set(name, e);
};
const t0 = performance.now();
for (let i = 0; i < steps; i++) step(true);
const total = performance.now() - t0;
const kernelMs = [...perKernel.values()].reduce((s, e) => s + e.ms, 0);
const gemmMacs = [...perKernel].filter(([n]) => n.startsWith('gemm ')).map(([n, e]) => {
  const [M, N, K] = n.split(' ')[2].split('x').map(Number);
  return { n, flops: (2 * M * N * K * e.calls) / steps, ms: e.ms / steps };
});
const rows = [...perKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({
  kernel: name, 'GFLOP/s': name.startsWith('gemm ') ? +(gemmMacs.find((g) => g.n === name).flops / (gemmMacs.find((g) => g.n === name).ms * 1e6)).toFixed(1) : '', 'µs/step': +((e.ms / steps) * 1000).toFixed(1), 'calls/step': +(e.calls / steps).toFixed(1), '% of step': +((100 * e.ms) / total).toFixed(1),
}));
const gf = gemmMacs.reduce((s, g) => s + g.flops, 0), gm = gemmMacs.reduce((s, g) => s + g.ms, 0);
console.log(`all GEMMs: ${(gf / 1e6).toFixed(1)} MFLOP/step at ${(gf / (gm * 1e6)).toFixed(1)} GFLOP/s`);
rows.push({ kernel: '(JavaScript outside kernels)', 'GFLOP/s': '', 'µs/step': +(((total - kernelMs) / steps) * 1000).toFixed(1), 'calls/step': 0, '% of step': +((100 * (total - kernelMs)) / total).toFixed(1) });
console.log(`LeNet-5 step, batch 64, ${threads} thread(s): ${((total / steps) * 1000).toFixed(0)} µs/step = ${Math.round((64 * steps * 1000) / total)} images/s (timing wrappers included)`);
console.log(`phases µs/step: ${Object.entries(phase).map(([k, v]) => `${k} ${((v / steps) * 1000).toFixed(0)}`).join(', ')}`);
console.table(rows);
sn.shutdown();
