// Optimizer step time over AlexNet's 61.1 M parameters (torchvision shapes):
// simdnn's fused wasm updates beside a plain JS loop over Float32Arrays doing
// the same arithmetic, with the bytes each update must move per second.
//   npm run build && node bench/optim.mjs [reps]
import * as sn from '../dist/index.js';
import { medianMs, seededArray } from './lib/timing.mjs';

const SHAPES = [
  [64, 3, 11, 11], [64], [192, 64, 5, 5], [192], [384, 192, 3, 3], [384], [256, 384, 3, 3], [256],
  [256, 256, 3, 3], [256], [4096, 9216], [4096], [4096, 4096], [4096], [1000, 4096], [1000],
];
const sizeOf = (s) => s.reduce((a, b) => a * b, 1);
const TOTAL = SHAPES.reduce((a, s) => a + sizeOf(s), 0);
const REPS = Number(process.argv[2] ?? 7);
const LR = 0.01, MOM = 0.9, WD = 5e-4, B1 = 0.9, B2 = 0.999, EPS = 1e-8;

// One step is tens of milliseconds: one call per sample, the median of REPS.
const median = (fn) => medianMs(fn, { warmupCalls: 2, warmupMs: 0, sampleMs: 0, samples: REPS });
const gradLike = (n, seed) => seededArray(n, seed).map((v) => v * 0.01);

// ---- plain JS: the same updates, one loop per tensor
function jsArrays(nState) {
  return SHAPES.map((s, k) => {
    const n = sizeOf(s);
    const p = gradLike(n, 1 + k), g = gradLike(n, 100 + k);
    return { p, g, st: Array.from({ length: nState }, () => new Float32Array(n)) };
  });
}
// The inner loops are separate small functions over plain arguments so V8 optimises them well.
function sgdLoop(p, g, buf, n) {
  for (let i = 0; i < n; i++) {
    const b = buf[i] * MOM + (g[i] + WD * p[i]);
    buf[i] = b;
    p[i] -= LR * b;
  }
}
function jsSgd(ts) {
  for (const t of ts) sgdLoop(t.p, t.g, t.st[0], t.p.length);
}
function adamLoop(p, g, m, v, n, ss, bc) {
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = m[i] * B1 + (1 - B1) * gi;
    const vi = v[i] * B2 + (1 - B2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (ss * mi) / (Math.sqrt(vi) / bc + EPS);
  }
}
let jsStep = 0;
function jsAdam(ts) {
  jsStep++;
  const ss = LR / (1 - B1 ** jsStep), bc = Math.sqrt(1 - B2 ** jsStep);
  for (const t of ts) adamLoop(t.p, t.g, t.st[0], t.st[1], t.p.length, ss, bc);
}
const jsZero = (ts) => { for (const t of ts) t.g.fill(0); };

// ---- simdnn
function snParams() {
  return SHAPES.map((s, k) => {
    const n = sizeOf(s);
    const p = sn.tensor(gradLike(n, 1 + k), s, { requiresGrad: true });
    p.grad = sn.tensor(gradLike(n, 100 + k), s);
    return p;
  });
}

const rows = [];
const gbs = (bytes, ms) => (bytes / ms / 1e6).toFixed(1);
function row(label, threads, msOurs, msJs, bytesPerParam) {
  rows.push({
    update: label, threads, 'simdnn ms': msOurs.toFixed(1), 'simdnn GB/s': gbs(bytesPerParam * TOTAL, msOurs),
    'plain JS ms': msJs === null ? '—' : msJs.toFixed(1), 'plain JS GB/s': msJs === null ? '—' : gbs(bytesPerParam * TOTAL, msJs),
    'JS/simdnn': msJs === null ? '—' : (msJs / msOurs).toFixed(2),
  });
}

// Plain JS is single-threaded: measure it once, compare it with every thread count.
let js = jsArrays(1);
const jsSgdMs = await median(() => jsSgd(js));
const jsZeroMs = await median(() => jsZero(js));
js = jsArrays(2);
const jsAdamMs = await median(() => jsAdam(js));
js = null;

// The relaxed build (SGD with relaxed_madd: PyTorch's rounding) needs
// `node --experimental-wasm-relaxed-simd bench/optim.mjs` on Node 20.
for (const cfg of [{ threads: 1 }, { threads: 2 }, { threads: 1, simd: 'relaxed' }]) {
  const threads = cfg.simd ? `${cfg.threads} relaxed` : cfg.threads;
  try {
    await sn.init(cfg);
  } catch (e) {
    rows.push({ update: `${JSON.stringify(cfg)}: not run (${e.message})` });
    continue;
  }
  let ps = snParams();
  const sgd = new sn.optim.SGD(ps, { lr: LR, momentum: MOM, weightDecay: WD });
  // 20 B/param: read θ, ∇, buf; write θ, buf (weight decay folded in: no extra pass).
  row('SGD momentum 0.9 + weightDecay', threads, await median(() => sgd.step()), jsSgdMs, 20);
  // zeroGrad: simdnn drops the gradient (no pass); plain JS writes zeros (4 B/param).
  let zeroMs = [];
  for (let r = 0; r < 5; r++) {
    for (const p of ps) p.grad = sn.zeros(p.shape);
    const t0 = performance.now();
    sgd.zeroGrad();
    zeroMs.push(performance.now() - t0);
  }
  zeroMs = zeroMs.sort((a, b) => a - b)[2];
  rows.push({ update: 'zeroGrad', threads, 'simdnn ms': zeroMs.toFixed(3), 'simdnn GB/s': '0 (no pass)', 'plain JS ms': jsZeroMs.toFixed(1),
    'plain JS GB/s': gbs(4 * TOTAL, jsZeroMs), 'JS/simdnn': (jsZeroMs / zeroMs).toFixed(0) });
  for (const p of ps) p.dispose();
  for (const s of sgd.state.values()) for (const v of Object.values(s)) if (typeof v !== 'number') v.dispose();

  ps = snParams();
  const adam = new sn.optim.Adam(ps, { lr: LR });
  // 28 B/param: read θ, ∇, m, v; write θ, m, v.
  row('Adam', threads, await median(() => adam.step()), jsAdamMs, 28);
  sn.shutdown();
}

console.log(`optimizer step over ${(TOTAL / 1e6).toFixed(2)} M parameters (${SHAPES.length} tensors, AlexNet's shapes), median of ${REPS}`);
console.table(rows);
