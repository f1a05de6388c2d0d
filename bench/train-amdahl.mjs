// What of a training step does not scale from 1 to 2 threads, measured on one
// core (so it holds on a machine shared with other jobs), in process CPU time
// through src/runtime/pool.ts's share probe. The step runs twice per sample:
// once with every pool call run as on one thread, once with each call's two
// shares (tid 0 and 1 of 2) run one after the other on the calling thread.
// Per kernel and calling op it prints the 1-thread time, the work the split
// adds (both shares minus one thread: what every thread repeats, e.g. packing
// the whole other GEMM operand), the 2-thread critical path (the longer share;
// calls made with threads = 1 run on the caller alone), a share's idle time
// (uneven splits) and the TypeScript run since the previous call (serial: it
// runs on the caller between calls). The model 2-thread step = TypeScript +
// sum of the longer shares: Amdahl's bound, before memory bandwidth, caches
// and wake-ups that only two real threads show. "split +" mixes real repeated
// work with this method's own cost: two shares run one after the other share
// one core's caches, where two threads would each have their own L2 (a
// Winograd band pass alone: +7-10% here, for the same bands).
//
//   npm run build && node --enable-source-maps bench/train-amdahl.mjs [--models resnet18] [--batch 8] [--runs 3] [--top 40] [--by kernel|caller]
//
// The shares run with the same arguments as on two threads, so their bits are
// those of a 2-thread run; the pool is made with 2 threads (per-thread scratch
// for both shares) but its worker never gets a call.
import * as sn from '../dist/index.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const names = opt('--models', 'resnet18').split(',');
const batch = Number(opt('--batch', '8'));
const runs = Number(opt('--runs', '3'));
const top = Number(opt('--top', '40'));
const by = opt('--by', 'caller');
const SHARES = 2;
let shares = SHARES; // of the pass being measured: 1 or SHARES

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/**
 * The first source line on the stack outside the runtime and this file: the op
 * that made the call. Needs `node --enable-source-maps` (dist/ is minified);
 * without it, the bundle's position.
 */
function caller() {
  const lines = new Error().stack.split('\n').slice(2);
  for (const l of lines) {
    const m = /\(?([^()\s]+):(\d+):\d+\)?$/.exec(l.trim());
    if (!m || /runtime\/|train-amdahl/.test(m[1])) continue;
    return `${m[1].replace(/^.*\/src\//, '')}:${m[2]}`;
  }
  return '?';
}

let stats = new Map();
let flip = false;
let probeMs = 0; // the stack walks of --by caller: not the step's work
let lastEnd = null; // when the previous call of the step returned: the time since is TypeScript leading to this call
const row = (key) => {
  let r = stats.get(key);
  if (!r) stats.set(key, r = { calls: 0, serial: 0, work: 0, crit: 0, idle: 0, js: 0 });
  return r;
};

sn._internal.setShareProbe((name, runShare, threads) => {
  const c0 = cpuMs();
  const key = by === 'kernel' ? name : `${name} @ ${caller()}`;
  const r = row(key);
  if (lastEnd !== null) r.js += c0 - lastEnd;
  const work = r.work;
  const c1 = cpuMs();
  run(r, runShare, threads);
  lastEnd = cpuMs();
  // Everything here but the shares themselves is the probe's own time, not the step's.
  probeMs += lastEnd - c1 - (r.work - work) + (c1 - c0);
});

function run(r, runShare, threads) {
  r.calls++;
  const n = Math.max(1, Math.min(threads ?? shares, shares));
  if (n === 1) {
    const t0 = cpuMs();
    runShare(0, 1);
    const dt = cpuMs() - t0;
    r.serial += dt; r.work += dt; r.crit += dt;
    return;
  }
  // The share run first finds colder caches (the second reuses what the first
  // loaded): alternate the order so that neither share carries that bias.
  const order = Array.from({ length: n }, (_, s) => (flip ? n - 1 - s : s));
  flip = !flip;
  const times = new Array(n);
  for (const s of order) { const t0 = cpuMs(); runShare(s, n); times[s] = cpuMs() - t0; }
  const sum = times.reduce((a, b) => a + b, 0);
  const max = Math.max(...times);
  r.work += sum; r.crit += max; r.idle += max * n - sum;
}

await sn.init({ threads: SHARES });
for (const name of names) {
  const m = sn.models[name]({ seed: 1 });
  m.train();
  const opt2 = new sn.optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sn.keep(sn.randn([batch, 3, 224, 224], { seed: 2 }));
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 131) % 1000);
  const step = () => sn.tidy(() => {
    opt2.zeroGrad();
    sn.F.crossEntropy(m.forward(x), y).backward();
    opt2.step();
  });
  step(); // warm-up
  // The 1-share and 2-share steps alternate, so that a change in the machine's load hits both alike.
  const passes = [1, SHARES].map(() => ({ stats: new Map(), total: 0 }));
  for (let r = 0; r < runs; r++) {
    [1, SHARES].forEach((n, i) => {
      shares = n;
      stats = passes[i].stats;
      probeMs = 0;
      lastEnd = null;
      const t0 = cpuMs();
      step();
      passes[i].total += cpuMs() - t0 - probeMs;
    });
  }
  /** Mean per step: the rows and the step's CPU time. */
  const mean = ({ stats: st, total }) => ({
    rows: new Map([...st].map(([k, r]) => [k, Object.fromEntries(Object.entries(r).map(([f, v]) => [f, v / runs]))])),
    total: total / runs,
  });
  const one = mean(passes[0]);
  const two = mean(passes[1]);
  const sum = (rows, f) => [...rows.values()].reduce((a, r) => a + r[f], 0);
  const ts = two.total - sum(two.rows, 'work'); // TypeScript and non-split kernels, on the 2-share pass
  const crit = sum(two.rows, 'crit') + ts;
  const f = (v) => v.toFixed(1).padStart(8);
  console.log(`\n${name}: training step, batch ${batch}, mean of ${runs} steps, ms of process CPU time on one core`);
  console.log(`  1 thread: ${f(one.total)} = pool kernels ${f(sum(one.rows, 'work'))} + TypeScript and non-split kernels ${f(one.total - sum(one.rows, 'work'))}`);
  console.log(`  2 shares: work ${f(two.total)} (the split adds ${f(sum(two.rows, 'work') - sum(one.rows, 'work'))}); critical path ${f(crit)} = ` +
    `TypeScript ${f(ts)} + kernels on the caller alone ${f(sum(two.rows, 'serial'))} + longer shares ${f(sum(two.rows, 'crit') - sum(two.rows, 'serial'))}; ` +
    `idle share time ${f(sum(two.rows, 'idle'))}; speedup ${(one.total / crit).toFixed(2)}x`);
  // "lost at 2T": what the row adds to the 2-thread step beyond half of its 1-thread time (kernels and the TypeScript before them).
  const zero = { calls: 0, work: 0, serial: 0, crit: 0, idle: 0, js: 0 };
  const rows = [...new Set([...one.rows.keys(), ...two.rows.keys()])].map((k) => ({ k, a: one.rows.get(k) ?? zero, b: two.rows.get(k) ?? zero }));
  const lost = ({ a, b }) => b.crit + b.js - (a.work + a.js) / SHARES;
  console.log(`  ${'kernel @ caller'.padEnd(58)}${'calls'.padStart(6)}${'1T'.padStart(9)}${'split +'.padStart(8)}` +
    `${'2T path'.padStart(9)}${'idle'.padStart(8)}${'TS before'.padStart(10)}  lost at 2T`);
  rows.sort((p, q) => lost(q) - lost(p));
  for (const r of rows.slice(0, top)) {
    console.log(`  ${r.k.slice(0, 57).padEnd(58)}${String(r.b.calls).padStart(6)}${f(r.a.work).padStart(9)}` +
      `${f(r.b.work - r.a.work)}${f(r.b.crit).padStart(9)}${f(r.b.idle)}${f(r.b.js).padStart(10)}  ${f(lost(r))}`);
  }
  const shown = rows.slice(0, top).reduce((a, r) => a + r.b.js, 0);
  console.log(`  ${'(TypeScript before the first call, after the last, and of rows not shown)'.padEnd(58)}${''.padStart(6)}${''.padStart(9)}` +
    `${''.padStart(8)}${''.padStart(9)}${''.padStart(8)}${f(ts - shown).padStart(10)}`);
  x.dispose();
  m.dispose();
}
sn._internal.setShareProbe(null);
sn.shutdown();
