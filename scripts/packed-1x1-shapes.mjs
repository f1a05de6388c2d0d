// ResNet-50's 1x1 convs (torchvision v1.5, batch 1, 224²) run alone through the
// no-grad executor's packed GEMM path (src/ops/conv2d/packed-forward.ts), one
// thread, weights packed once (kept as in inference), epilogue shift + ReLU.
// GFLOP/s per shape and the model-weighted total. Process CPU time, medians.
//
// EPI=0 times the GEMM without the epilogue (its share: ~8% at K = 64, ~1%
// from K = 256). The stride-2 shapes run im2col then the same GEMM; planes of
// <= 64 pixels run transposed (packed-gemm-conv-transposed.ts).
//
//   npm run build:wasm && node scripts/packed-1x1-shapes.mjs
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const internal = join(root, '.bench', 'packed-1x1.js');
await build({
  stdin: {
    contents: `export * from './src/index.ts';
      export { packedForward } from './src/ops/conv2d/packed-forward.ts';
      export { convGeometry } from './src/ops/conv2d/geometry.ts';`,
    resolveDir: root, loader: 'ts',
  },
  outfile: internal, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', external: ['node:*'], logLevel: 'warning',
});
const sn = await import(internal);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(fn, reps = Number(process.env.REPS ?? 9)) {
  for (let i = 0; i < 3; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = cpuMs(); let n = 0;
    do { fn(); n++; } while (cpuMs() - t0 < 20);
    ts.push((cpuMs() - t0) / n);
  }
  return ts.sort((a, b) => a - b)[reps >> 1];
}
// [OC, C, H (input side), stride, count in the model]
const SHAPES = [
  [64, 64, 56, 1, 1], [256, 64, 56, 1, 4], [64, 256, 56, 1, 2], [128, 256, 56, 1, 1],
  [512, 256, 56, 2, 1], [512, 128, 28, 1, 4], [128, 512, 28, 1, 3], [256, 512, 28, 1, 1],
  [1024, 512, 28, 2, 1], [1024, 256, 14, 1, 6], [256, 1024, 14, 1, 5], [512, 1024, 14, 1, 1],
  [2048, 1024, 14, 2, 1], [2048, 512, 7, 1, 3], [512, 2048, 7, 1, 2],
];
await sn.init({ threads: 1 });
console.log('| OC x C x pixels (stride) | count | ms | GFLOP/s |');
console.log('|---|---|---|---|');
let total = 0, totalFlop = 0;
for (const [OC, C, H, s, count] of SHAPES) {
  const x = sn.randn([1, C, H, H], { seed: 1 }), w = sn.randn([OC, C, 1, 1], { seed: 2 }), sh = sn.randn([OC], { seed: 3 });
  const g = sn.convGeometry('conv2d', x, w, null, { stride: s });
  const y = sn.zeros([1, OC, g.OH, g.OW]);
  const epi = process.env.EPI === '0' ? { scale: 0, shift: 0, residual: 0, relu: false } : { scale: 0, shift: sh.ptr(), residual: 0, relu: true };
  const xp = x.ptr(), wp = w.readPtr(), yp = y.ptr();
  const ms = time(() => sn.packedForward(g, xp, wp, epi, yp, w.storage));
  const flop = 2 * OC * C * g.OH * g.OW;
  total += ms * count; totalFlop += flop * count;
  console.log(`| ${OC}x${C}x${g.OH * g.OW}${s > 1 ? ' (s2)' : ''} | ${count} | ${ms.toFixed(3)} | ${(flop / ms / 1e6).toFixed(1)} |`);
  for (const t of [x, w, sh, y]) t.dispose();
}
console.log(`| model total (weighted) | | ${total.toFixed(2)} | ${(totalFlop / total / 1e6).toFixed(1)} |`);
sn.shutdown();
