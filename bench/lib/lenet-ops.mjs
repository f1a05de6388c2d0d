// Per-op cost of one LeNet-5 training step at batch 64 (the shapes of
// sn.models.lenet5): forward alone (noGrad) and forward+backward of each op on
// leaf inputs, so backward ≈ (fwd+bwd) − fwd. Medians of process CPU time per
// call at 1 thread (BENCH_CLOCK=cpu), wall time otherwise.
// Run: npm run build && BENCH_CLOCK=cpu node bench/lib/lenet-ops.mjs [threads]
const sn = await import(process.env.SIMDNN_DIST ? new URL(`../../${process.env.SIMDNN_DIST}/index.js`, import.meta.url).href : '../../dist/index.js');
import { medianMs, seededArray } from './timing.mjs';
const threads = Number(process.argv[2] ?? 1);
await sn.init({ threads });
const F = sn.F;
const B = 64;
const leaf = (shape, seed, grad = true) => sn.keep(sn.tensor(seededArray(shape.reduce((a, b) => a * b), seed), shape, { requiresGrad: grad }));
const x0 = leaf([B, 1, 32, 32], 1, false);
const w1 = leaf([6, 1, 5, 5], 2), b1 = leaf([6], 3);
const a1 = leaf([B, 6, 28, 28], 4), p1 = leaf([B, 6, 14, 14], 5);
const p1n = leaf([B, 6, 14, 14], 5, false);
const w2 = leaf([16, 6, 5, 5], 6), b2 = leaf([16], 7);
const a2 = leaf([B, 16, 10, 10], 8), f0 = leaf([B, 400], 9);
const fw1 = leaf([120, 400], 10), fb1 = leaf([120], 11), h1 = leaf([B, 120], 12);
const fw2 = leaf([84, 120], 13), fb2 = leaf([84], 14), h2 = leaf([B, 84], 15);
const fw3 = leaf([10, 84], 16), fb3 = leaf([10], 17), lg = leaf([B, 10], 18);
const y = Int32Array.from({ length: B }, (_, i) => i % 10);
const ops = {
  'conv1 5x5 1->6 (28x28)': () => F.conv2d(x0, w1, b1),
  'relu1 [64,6,28,28]': () => F.relu(a1),
  'pool1 2x2 [64,6,28,28]': () => F.maxPool2d(a1, { kernelSize: 2 }),
  'conv2 5x5 6->16 (10x10)': () => F.conv2d(p1, w2, b2),
  'conv2 without data grad': () => F.conv2d(p1n, w2, b2),
  'relu2 [64,16,10,10]': () => F.relu(a2),
  'pool2 2x2 [64,16,10,10]': () => F.maxPool2d(a2, { kernelSize: 2 }),
  'fc1 400->120': () => F.linear(f0, fw1, fb1),
  'relu3 [64,120]': () => F.relu(h1),
  'fc2 120->84': () => F.linear(h1, fw2, fb2),
  'fc3 84->10': () => F.linear(h2, fw3, fb3),
  'crossEntropy [64,10]': () => F.crossEntropy(lg, y),
};
const ones = new Map();
const rows = [];
const opts = { warmupMs: 150, sampleMs: 40, samples: 9 };
let totF = 0, totB = 0;
for (const [name, f] of Object.entries(ops)) {
  const fwd = await medianMs(() => sn.tidy(() => { sn.noGrad(f); }), opts);
  const both = await medianMs(() => sn.tidy(() => {
    const out = f();
    if (!ones.has(name)) ones.set(name, sn.keep(sn.ones(out.shape)));
    out.backward(out.size === 1 ? undefined : ones.get(name));
    for (const t of [w1, b1, a1, p1, w2, b2, a2, f0, fw1, fb1, h1, fw2, fb2, h2, fw3, fb3, lg]) { t.grad?.dispose(); t.grad = null; }
  }), opts);
  if (!name.includes('without')) { totF += fwd; totB += both - fwd; }
  rows.push({ op: name, 'fwd µs': Math.round(fwd * 1000), 'bwd µs': Math.round((both - fwd) * 1000) });
}
const model = sn.models.lenet5({ seed: 1 });
const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
sn.tidy(() => { sn.F.crossEntropy(model.forward(x0), y).backward(); });
const step = await medianMs(() => opt.step(), opts);
const zero = await medianMs(() => { opt.zeroGrad(); sn.tidy(() => sn.F.crossEntropy(model.forward(x0), y).backward()); }, opts);
const fb = await medianMs(() => sn.tidy(() => sn.F.crossEntropy(model.forward(x0), y).backward()), opts);
const full = await medianMs(() => sn.tidy(() => { opt.zeroGrad(); sn.F.crossEntropy(model.forward(x0), y).backward(); opt.step(); }), opts);
rows.push({ op: 'SGD momentum step (10 params)', 'fwd µs': Math.round(step * 1000), 'bwd µs': 0 });
rows.push({ op: 'zeroGrad (zero-vs-accumulate delta)', 'fwd µs': Math.round((zero - fb) * 1000), 'bwd µs': 0 });
rows.push({ op: 'sum of the ops above', 'fwd µs': Math.round(totF * 1000), 'bwd µs': Math.round(totB * 1000) });
rows.push({ op: 'whole step (tidy, zeroGrad, fwd, bwd, step)', 'fwd µs': Math.round(full * 1000), 'bwd µs': 0 });
console.log(`threads=${threads}, ${process.env.BENCH_CLOCK === 'cpu' ? 'CPU' : 'wall'} time per call; whole step = ${Math.round((B * 1000) / full)} images/s`);
console.table(rows);
sn.shutdown();
