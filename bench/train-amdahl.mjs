// What of a training step does not scale from 1 to 2 threads, measured on one
// core (so it holds on a machine shared with other jobs): every pool call of
// the step runs its two shares (tid 0 and 1 of 2) one after the other on the
// calling thread, each timed in process CPU time (src/runtime/pool.ts's share
// probe). Per kernel and calling op it prints the 1-thread work (both shares),
// the 2-thread critical path (the longer share), the part that runs on the
// caller alone (calls made with threads = 1), and what the step spends outside
// the pool's kernels (TypeScript, non-split kernels): serial too. The model
// 2-thread step = serial + sum of the longer shares; Amdahl's bound.
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
  const n = Math.max(1, Math.min(threads ?? SHARES, SHARES));
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
  const shares = new Array(n);
  for (const s of order) { const t0 = cpuMs(); runShare(s, n); shares[s] = cpuMs() - t0; }
  const sum = shares.reduce((a, b) => a + b, 0);
  const max = Math.max(...shares);
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
  stats = new Map();
  probeMs = 0;
  let total = 0;
  for (let r = 0; r < runs; r++) {
    lastEnd = null;
    const t0 = cpuMs();
    step();
    total += cpuMs() - t0;
  }
  total -= probeMs;
  const per = (v) => v / runs;
  const rows = [...stats.entries()].map(([k, r]) => ({ k, ...r }));
  const inKernels = rows.reduce((a, r) => a + r.work, 0);
  const outside = total - inKernels;
  const serial = rows.reduce((a, r) => a + r.serial, 0) + outside;
  const crit = rows.reduce((a, r) => a + r.crit, 0) + outside;
  const idle = rows.reduce((a, r) => a + r.idle, 0);
  const f = (v) => per(v).toFixed(1).padStart(8);
  console.log(`\n${name}: training step, batch ${batch}, mean of ${runs} steps, ms of process CPU time on one core (lscpu family/model: see README)`);
  console.log(`  1-thread work ${f(total)}   of it: pool kernels split over 2 ${f(inKernels - rows.reduce((a, r) => a + r.serial, 0))}, ` +
    `kernels on the caller alone ${f(rows.reduce((a, r) => a + r.serial, 0))}, outside the pool (TypeScript, non-split kernels) ${f(outside)}`);
  console.log(`  2-thread model: critical path ${f(crit)} = serial ${f(serial)} + longer shares ${f(crit - serial)}; ` +
    `a share's idle time from uneven splits ${f(idle)} (over both threads); speedup ${(total / crit).toFixed(2)}x`);
  // Per row: its kernels, and the TypeScript that ran since the previous call
  // ("TS before": serial, on the calling thread). "lost at 2T": what the row
  // adds to the 2-thread step beyond half of its 1-thread time.
  const lost = (r) => r.crit - r.work / SHARES + r.js / SHARES;
  console.log(`  ${'kernel @ caller'.padEnd(58)}${'calls'.padStart(6)}${'1T work'.padStart(9)}${'serial'.padStart(8)}` +
    `${'2T path'.padStart(9)}${'idle'.padStart(8)}${'TS before'.padStart(10)}  lost at 2T`);
  rows.sort((a, b) => lost(b) - lost(a));
  for (const r of rows.slice(0, top)) {
    console.log(`  ${r.k.slice(0, 57).padEnd(58)}${String(r.calls / runs).padStart(6)}${f(r.work).padStart(9)}` +
      `${f(r.serial)}${f(r.crit).padStart(9)}${f(r.idle)}${f(r.js).padStart(10)}  ${f(lost(r))}`);
  }
  const rest = outside - rows.reduce((a, r) => a + r.js, 0);
  console.log(`  ${'(TypeScript after the last call, and rows not shown)'.padEnd(58)}${''.padStart(6)}${''.padStart(9)}` +
    `${''.padStart(8)}${''.padStart(9)}${''.padStart(8)}${f(rest + rows.slice(top).reduce((a, r) => a + r.js, 0)).padStart(10)}`);
  x.dispose();
  m.dispose();
}
sn._internal.setShareProbe(null);
sn.shutdown();
