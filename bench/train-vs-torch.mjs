// Training step of ResNet-18, VGG-11 and GoogLeNet (forward + cross-entropy +
// backward + SGD momentum 0.9), batch 8, 224x224, ours beside PyTorch 1.13
// native (torchvision's same architectures, torch.set_num_threads(T)) on 1 and
// 2 threads, in one run, the ratio ours / PyTorch printed (issue 15's target:
// ResNet-18 ≤ 1.3x on 1 and 2 threads). PyTorch runs in a /usr/bin/python3
// subprocess (bench/lib/torch_models.py `train`); without torch the table says
// so and shows ours only.
//
//   npm run build && node bench/run.mjs train-vs-torch
//   node bench/train-vs-torch.mjs [--quick] [--models resnet18,vgg11,googlenet] [--threads 1,2] [--runs 5]
//
// --quick: ResNet-18 only, 3 timed steps. Every configuration runs in its own
// process (a fresh wasm memory per thread count, no shared heap); random
// weights and inputs (only time is measured); each number is the median of the
// timed steps after 2 warm-up steps, wall clock; BENCH_CLOCK=cpu: process CPU
// time on both sides (ours and PyTorch), which on a shared machine leaves out
// the waits for a core: a one-thread step's own time (at 2 threads it is the
// work of both threads, not the latency).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockName } from './lib/timing.mjs';
import { trainingStepMs } from './lib/train-step.mjs';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const quick = argv.includes('--quick');
const RUNS = Number(opt('--runs', quick ? '3' : '5'));
const MODELS = opt('--models', quick ? 'resnet18' : 'resnet18,vgg11,googlenet').split(',').filter(Boolean);
const THREADS = opt('--threads', '1,2').split(',').map(Number);
const BATCH = 8;
const TARGET = { resnet18: 1.3 };
const PY = '/usr/bin/python3';

/** Child: median ms of our training step per model at `threads`, one JSON line. */
async function partOurs(threads, names) {
  const sn = await import('../dist/index.js');
  await sn.init({ threads });
  const out = await trainingStepMs(sn, names, { batch: BATCH, runs: RUNS });
  sn.shutdown();
  return out;
}

if (opt('--part') === 'ours') {
  console.log(JSON.stringify(await partOurs(Number(opt('--threads', '1')), opt('--names', '').split(','))));
  process.exit(0);
}

function child(threads) {
  const r = spawnSync(process.execPath, [self, '--part', 'ours', '--threads', String(threads), '--names', MODELS.join(','), '--runs', String(RUNS)],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  try {
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch { /* reported below */ }
  console.log(`(simdnn ${threads}T failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' / ')})`);
  return null;
}

/** PyTorch's medians, or null with the reason printed (no python3, no torch, a failure). */
function torch(threads) {
  const r = spawnSync(PY, [join(root, 'bench', 'lib', 'torch_models.py'), 'train', String(threads), ...MODELS],
    { encoding: 'utf8', env: { ...process.env, RUNS: String(RUNS) }, maxBuffer: 1 << 24 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-1)[0];
    console.log(`(PyTorch ${threads}T not run: ${/No module named 'torch/.test(why) ? 'python3-torch / python3-torchvision is missing' : why}; ours only)`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// Per thread count: ours, then PyTorch right after (close in time: a shared machine's load drifts).
const res = {};
for (const t of THREADS) {
  res[`ours${t}`] = child(t);
  res[`torch${t}`] = torch(t);
}

const f = (v) => (v === undefined || v === null ? '—' : v.toFixed(0));
const ratio = (ours, ref) => (ours && ref ? (ours / ref).toFixed(2) : '—');
console.log(`\n# Training step (forward + cross-entropy + backward + SGD momentum), batch ${BATCH}, 224x224, median ms (${clockName}) of ${RUNS} steps after 2 warm-up (Node ${process.version}; PyTorch 1.13 native eager, torchvision models)\n`);
const cols = THREADS.flatMap((t) => [`ours ${t}T`, `PyTorch ${t}T`, `ours/PyTorch ${t}T`]);
console.log(`| model | ${cols.join(' | ')} | target |\n|---|${cols.map(() => '---').join('|')}|---|`);
for (const n of MODELS) {
  const cells = THREADS.flatMap((t) => {
    const o = res[`ours${t}`]?.[n], p = res[`torch${t}`]?.[n];
    return [f(o), f(p), ratio(o, p)];
  });
  console.log(`| ${n} | ${cells.join(' | ')} | ${TARGET[n] ? `≤ ${TARGET[n]}x` : ''} |`);
}
