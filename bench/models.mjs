// Whole-model benchmark: batch-1 224x224 inference latency (median ms) for
// ResNet-50, VGG-16, GoogLeNet and AlexNet with simdnn at 1 and 2 threads,
// beside tfjs-backend-wasm (the same architectures built from tfjs ops, batch
// norm folded, fused conv+bias+ReLU: bench/lib/tfjs-models.mjs) and
// onnxruntime-web at 1 and 2 threads (torchvision models exported to ONNX at
// bench time into .bench/ by /usr/bin/python3 + torch; skipped with the reason
// printed when that fails), plus PyTorch native when installed. Then one
// training step (forward + cross-entropy + backward + SGD momentum) at batch 8
// for ResNet-18 and AlexNet, ours beside PyTorch native.
//
//   npm run build && node bench/models.mjs [--quick] [--no-peers] [--models resnet50,vgg16]
//
// Ours runs with sn.nn.foldBatchNorm applied (the tfjs graphs and the ONNX
// exports have batch norm folded too). Every configuration runs in its own
// Node process (a fresh wasm memory per thread count); random weights (only
// time is measured); medians after 2 warm-up runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, wholeCallSamples } from './lib/timing.mjs';
import { trainingStepMs } from './lib/train-step.mjs';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const quick = argv.includes('--quick');
const RUNS = quick ? 3 : 7;
const INFER = opt('--models', 'resnet50,vgg16,googlenet,alexnet').split(',');
const TRAIN = opt('--train', 'resnet18,alexnet').split(',').filter(Boolean);
const TARGETS = { resnet50: [160, 85], vgg16: [600, 320] };
const PY = '/usr/bin/python3';

async function medianMs(fn) {
  return median(await wholeCallSamples(fn, { minRuns: RUNS, maxRuns: RUNS }));
}

// ---- parts: each runs in a child process and prints one JSON line ----
async function partOurs(threads, names) {
  const sn = await import('../dist/index.js');
  await sn.init({ threads });
  const out = {};
  for (const name of names) {
    const m = sn.models[name]({ seed: 1 });
    m.eval();
    // Batch norm folded into the convs, as the peers have it (tfjs graphs here; torch.onnx.export in eval mode).
    sn.nn.foldBatchNorm(m, [1, 3, 224, 224]);
    const x = sn.randn([1, 3, 224, 224], { seed: 2 });
    out[name] = await medianMs(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); }));
    x.dispose();
    m.dispose();
  }
  sn.shutdown();
  return out;
}

async function partTrain(threads, names) {
  const sn = await import('../dist/index.js');
  await sn.init({ threads });
  const out = await trainingStepMs(sn, names, { batch: 8, runs: RUNS });
  sn.shutdown();
  return out;
}

async function partTfjs(names) {
  const { timeTfjsWasm } = await import('./lib/tfjs-models.mjs');
  return timeTfjsWasm(names, medianMs);
}

async function partOrt(threads, names) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const out = {};
  for (const name of names) {
    const session = await ort.InferenceSession.create(join(root, '.bench', `${name}.onnx`));
    const feeds = { input: new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]) };
    out[name] = await medianMs(() => session.run(feeds));
    await session.release();
  }
  return out;
}

const part = opt('--part');
if (part) {
  const threads = Number(opt('--threads', '1'));
  const names = opt('--names', '').split(',').filter(Boolean);
  const fns = { ours: () => partOurs(threads, names), train: () => partTrain(threads, names), tfjs: () => partTfjs(names), ort: () => partOrt(threads, names) };
  console.log(JSON.stringify(await fns[part]()));
  process.exit(0);
}

// ---- driver ----
function child(args, label) {
  const r = spawnSync(process.execPath, [self, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  try {
    if (r.status === 0) return JSON.parse(last);
  } catch { /* reported below */ }
  console.log(`(${label} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' / ')})`);
  return null;
}
function python(args, label) {
  const r = spawnSync(PY, [join(root, 'bench', 'lib', 'torch_models.py'), ...args], { encoding: 'utf8', env: { ...process.env, RUNS: String(RUNS) }, maxBuffer: 1 << 24 });
  if (r.error || r.status !== 0) {
    console.log(`(${label} skipped: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-1)[0]})`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const peers = !argv.includes('--no-peers');
const names = INFER.join(',');
const res = {};
for (const t of [1, 2]) res[`ours${t}`] = child(['--part', 'ours', '--threads', String(t), '--names', names], `simdnn ${t}T`);
if (peers) {
  res.tfjs = child(['--part', 'tfjs', '--names', names], 'tfjs-backend-wasm');
  mkdirSync(join(root, '.bench'), { recursive: true });
  const missing = INFER.filter((n) => !existsSync(join(root, '.bench', `${n}.onnx`)));
  const exported = missing.length === 0 || python(['export', join(root, '.bench'), ...missing], 'ONNX export (torch.onnx.export)');
  if (exported) for (const t of [1, 2]) res[`ort${t}`] = child(['--part', 'ort', '--threads', String(t), '--names', names], `onnxruntime-web ${t}T`);
  for (const t of [1, 2]) res[`torch${t}`] = python(['time', String(t), ...INFER], `PyTorch native ${t}T`);
}

const f = (v) => (v === undefined || v === null ? '—' : v.toFixed(0));
const ratio = (a, b) => (a && b ? `x${(b / a).toFixed(2)}` : '—');
console.log(`\n# Inference, batch 1, 224x224, median ms of ${RUNS} (Node ${process.version}; simd baseline; batch norm folded in ours, tfjs and the ONNX graphs; PyTorch eager)\n`);
const cols = ['model', 'ours 1T', 'ours 2T', 'tfjs-wasm 1T', 'ort-web 1T', 'ort-web 2T', 'PyTorch 1T', 'PyTorch 2T', 'tfjs/ours 1T', 'ort/ours 2T', 'target 1T / 2T'];
console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
for (const n of INFER) {
  const g = (k) => res[k]?.[n];
  console.log(`| ${n} | ${f(g('ours1'))} | ${f(g('ours2'))} | ${f(g('tfjs'))} | ${f(g('ort1'))} | ${f(g('ort2'))} | ${f(g('torch1'))} | ${f(g('torch2'))} | ` +
    `${ratio(g('ours1'), g('tfjs'))} | ${ratio(g('ours2'), g('ort2'))} | ${TARGETS[n] ? `≤ ${TARGETS[n][0]} / ≤ ${TARGETS[n][1]}` : ''} |`);
}

if (TRAIN.length) {
  const tn = TRAIN.join(',');
  const tr = {};
  for (const t of [1, 2]) tr[`ours${t}`] = child(['--part', 'train', '--threads', String(t), '--names', tn], `simdnn training ${t}T`);
  if (peers) for (const t of [1, 2]) tr[`torch${t}`] = python(['train', String(t), ...TRAIN], `PyTorch training ${t}T`);
  console.log(`\n# Training step (forward + cross-entropy + backward + SGD momentum), batch 8, 224x224, median ms\n`);
  console.log('| model | ours 1T | ours 2T | PyTorch 1T | PyTorch 2T | ours/PyTorch 1T | ours/PyTorch 2T |\n|---|---|---|---|---|---|---|');
  for (const n of TRAIN) {
    const g = (k) => tr[k]?.[n];
    console.log(`| ${n} | ${f(g('ours1'))} | ${f(g('ours2'))} | ${f(g('torch1'))} | ${f(g('torch2'))} | ${ratio(g('torch1'), g('ours1'))} | ${ratio(g('torch2'), g('ours2'))} |`);
  }
}
console.log('\ntfjs-backend-wasm runs one thread in Node. onnxruntime-web and tfjs run inference only. PyTorch native = torch 1.13 CPU (AVX-512), not wasm.');
