// Where conv2d's time goes, one thread: each pass of each benchmark layer, and
// its multiply-adds run alone as plain GEMMs of the same orientation (im2col
// paths: one GEMM over all pixels; Winograd: 16 GEMMs per band of 128 tiles), so
// the rest (im2col, col2im, Winograd transforms, transposes, band-sized GEMMs,
// dispatch) shows as a share.
// Times are process CPU time (medians): on a shared machine they move much less
// than wall time. The internals are not public, so this bundles src/ into
// .bench/ (as bench/threads.mjs does).
//
//   npm run build:wasm && node scripts/conv-breakdown.mjs
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const internal = join(root, '.bench', 'conv-internal.js');
await build({
  stdin: {
    contents: `export * from './src/index.ts';
      export { gemm } from './src/ops/gemm.ts';
      export { backend } from './src/runtime/backend.ts';
      export * as K from './src/ops/conv2d/run.ts';
      export { choosePath } from './src/ops/conv2d/choose-path.ts';
      export { chooseOrientation } from './src/ops/conv2d/gemm-orientation.ts';
      export { bandTileRows } from './src/ops/conv2d/winograd-f2x2-3x3.ts';
      export { convGeometry } from './src/ops/conv2d/geometry.ts';`,
    resolveDir: root, loader: 'ts',
  },
  outfile: internal, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', external: ['node:*'], logLevel: 'warning',
});
const sn = await import(internal);

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(fn, reps = 7) {
  fn();
  const ts = [];
  for (let i = 0; i < reps; i++) { const t0 = cpuMs(); fn(); ts.push(cpuMs() - t0); }
  return ts.sort((a, b) => a - b)[reps >> 1];
}

const LAYERS = [
  ['AlexNet conv1 227²×3→96 11x11/4', [1, 3, 227, 227], [96, 3, 11, 11], { stride: 4 }],
  ['VGG conv3-64 224² 3x3 p1', [1, 64, 224, 224], [64, 64, 3, 3], { padding: 1 }],
  ['ResNet 3x3 14² 256→256 p1', [1, 256, 14, 14], [256, 256, 3, 3], { padding: 1 }],
  ['ResNet 3x3 14² 256→256 p1, batch 32', [32, 256, 14, 14], [256, 256, 3, 3], { padding: 1 }],
  ['ResNet 1x1 56² 256→64', [1, 256, 56, 56], [64, 256, 1, 1], {}],
  ['LeNet conv2 14²×6→16 5x5, batch 64', [64, 6, 14, 14], [16, 6, 5, 5], {}],
];

await sn.init({ threads: 1 });
console.log('# conv2d breakdown, 1 thread, process CPU time (ms, medians)\n');
console.log('| layer | path | pass | total ms | GFLOP/s | its GEMMs alone ms | rest |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, xs, ws, opts] of LAYERS) {
  const x = sn.randn(xs, { seed: 1 }), w = sn.randn(ws, { seed: 2 }), b = sn.randn([ws[0]], { seed: 3 });
  const g = sn.convGeometry('conv2d', x, w, b, opts);
  const path = sn.choosePath(g);
  const y = sn.zeros([g.N, g.OC, g.OH, g.OW]), gy = sn.randn(y.shape, { seed: 4 });
  const gx = sn.zeros(xs), gw = sn.zeros(ws);
  const flop = 2 * g.N * g.OC * g.OH * g.OW * g.C * g.kH * g.kW;
  const passes = [
    ['forward', () => sn.K.convForward(g, x.ptr(), w.ptr(), b.ptr(), y.ptr())],
    ['backward data', () => sn.K.convBackwardData(g, gy.ptr(), w.ptr(), gx.ptr())],
    ['backward filter', () => sn.K.convBackwardFilter(g, x.ptr(), gy.ptr(), gw.ptr())],
  ];
  // The GEMM work of each pass with the path's shapes, on scratch operands.
  const gemms = gemmWork(g, path);
  for (const [pass, fn] of passes) {
    const total = time(fn);
    const alone = time(gemms[pass]);
    console.log(`| ${name} | ${path}${path === 'winograd-f2x2-3x3' ? ' (effective GFLOP/s)' : ''} | ${pass} | ${total.toFixed(2)} | ${(flop / total / 1e6).toFixed(1)} | ${alone.toFixed(2)} | ${(100 * (1 - alone / total)).toFixed(0)}% |`);
  }
  for (const t of [x, w, b, y, gy, gx, gw]) t.dispose();
}
sn.shutdown();

/** Functions that run only the GEMMs a pass of this layer runs (same shapes, same count). */
function gemmWork(g, path) {
  const scratch = (n) => sn.randn([n], { seed: 5 });
  if (path === 'winograd-f2x2-3x3') {
    // the bands of tile rows winograd-f2x2-3x3.ts uses, each 16 GEMMs over its tiles
    const tilesH = Math.ceil(g.OH / 2), tilesW = Math.ceil(g.OW / 2), R = g.N * tilesH;
    const rows = sn.bandTileRows(R, tilesW, g.C + g.OC);
    const bands = [];
    for (let r0 = 0; r0 < R; r0 += rows) bands.push((Math.min(R, r0 + rows) - r0) * tilesW);
    const u = scratch(16 * g.OC * g.C), v = scratch(16 * g.C * rows * tilesW), m = scratch(16 * g.OC * rows * tilesW);
    const run = (O, I, filter) => () => {
      bands.forEach((Tb, k) => {
        for (let xi = 0; xi < 16; xi++) {
          if (filter) sn.gemm({ transB: true, M: O, N: I, K: Tb, a: m.ptr(), lda: Tb, b: v.ptr(), ldb: Tb, c: u.ptr(), ldc: I, accumulate: k > 0 });
          else sn.gemm({ M: O, N: Tb, K: I, a: u.ptr(), lda: I, b: v.ptr(), ldb: Tb, c: m.ptr(), ldc: Tb });
        }
      });
    };
    return { forward: run(g.OC, g.C, false), 'backward data': run(g.C, g.OC, false), 'backward filter': run(g.OC, g.C, true) };
  }
  const K = g.C * g.kH * g.kW, P = g.N * g.OH * g.OW;
  const a = scratch(K * P), c = scratch(g.OC * P), wt = scratch(g.OC * K);
  const colw = sn.chooseOrientation(g) === 'colw';
  return {
    forward: () => colw
      ? sn.gemm({ transA: true, transB: true, M: P, N: g.OC, K, a: a.ptr(), lda: P, b: wt.ptr(), ldb: K, c: c.ptr(), ldc: g.OC })
      : sn.gemm({ M: g.OC, N: P, K, a: wt.ptr(), lda: K, b: a.ptr(), ldb: P, c: c.ptr(), ldc: P }),
    'backward data': () => sn.gemm({ transA: true, M: K, N: P, K: g.OC, a: wt.ptr(), lda: K, b: c.ptr(), ldb: P, c: a.ptr(), ldc: P }),
    'backward filter': () => sn.gemm({ transB: true, M: g.OC, N: K, K: P, a: c.ptr(), lda: P, b: a.ptr(), ldb: P, c: wt.ptr(), ldc: K }),
  };
}
