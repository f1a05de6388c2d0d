// simdnn/onnx benchmark: torchvision mobilenet_v2, squeezenet1_1 and resnet18
// exported by torch.onnx (bench/lib/torch_models.py, into .bench/; random
// weights, eval-mode export so batch norm is folded) and loaded with loadOnnx:
// load time of the file, batch-1 224x224 inference latency at 1 and 2 threads
// beside onnxruntime-web running the same file, and one fine-tuning step
// (forward + cross-entropy + backward + SGD momentum) of the imported resnet18
// at batch 8. Medians; each configuration in its own Node process.
//
//   npm run build && node bench/onnx.mjs [--quick] [--no-peers] [--models resnet18,...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, wholeCallSamples } from './lib/timing.mjs';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const RUNS = argv.includes('--quick') ? 3 : 7;
const MODELS = opt('--models', 'mobilenet_v2,squeezenet1_1,resnet18').split(',');
const file = (name) => join(root, '.bench', `${name}.onnx`);
const medianMs = async (fn) => median(await wholeCallSamples(fn, { minRuns: RUNS, maxRuns: RUNS }));

async function partOurs(threads, names) {
  const sn = await import('../dist/index.js');
  const { loadOnnx } = await import('../dist/onnx.js');
  await sn.init({ threads });
  const out = {};
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(file(name)));
    const loads = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const m = loadOnnx(bytes);
      loads.push(performance.now() - t0);
      m.dispose();
    }
    const m = loadOnnx(bytes);
    m.eval();
    const x = sn.randn([1, 3, 224, 224], { seed: 2 });
    out[name] = { load: median(loads), infer: await medianMs(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); })) };
    x.dispose();
    m.dispose();
  }
  sn.shutdown();
  return out;
}

async function partTrain(threads, name) {
  const sn = await import('../dist/index.js');
  const { loadOnnx } = await import('../dist/onnx.js');
  await sn.init({ threads });
  const m = loadOnnx(new Uint8Array(readFileSync(file(name))));
  m.train();
  const opt = new sn.optim.SGD(m.parameters(), { lr: 0.001, momentum: 0.9 });
  const x = sn.randn([8, 3, 224, 224], { seed: 3 });
  const y = new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const ms = await medianMs(() => sn.tidy(() => {
    opt.zeroGrad();
    sn.F.crossEntropy(m.forward(x), y).backward();
    opt.step();
  }));
  sn.shutdown();
  return { [name]: ms };
}

async function partOrt(threads, names) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const out = {};
  for (const name of names) {
    const session = await ort.InferenceSession.create(file(name));
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]) };
    out[name] = await medianMs(() => session.run(feeds));
    await session.release();
  }
  return out;
}

const part = opt('--part');
if (part) {
  const threads = Number(opt('--threads', '1'));
  const names = opt('--names', '').split(',').filter(Boolean);
  const fns = { ours: () => partOurs(threads, names), train: () => partTrain(threads, names[0]), ort: () => partOrt(threads, names) };
  console.log(JSON.stringify(await fns[part]()));
  process.exit(0);
}

function child(args, label) {
  const r = spawnSync(process.execPath, [self, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  try {
    if (r.status === 0) return JSON.parse((r.stdout ?? '').trim().split('\n').pop());
  } catch { /* reported below */ }
  console.log(`(${label} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' / ')})`);
  return null;
}

mkdirSync(join(root, '.bench'), { recursive: true });
const missing = MODELS.filter((n) => !existsSync(file(n)));
if (missing.length) {
  const r = spawnSync('/usr/bin/python3', [join(root, 'bench', 'lib', 'torch_models.py'), 'export', join(root, '.bench'), ...missing], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`(ONNX export with /usr/bin/python3 + torch failed, nothing to load: ${(r.stderr || '').trim().split('\n').slice(-1)[0]})`);
    process.exit(1);
  }
}
const names = MODELS.join(',');
const res = {};
for (const t of [1, 2]) res[`ours${t}`] = child(['--part', 'ours', '--threads', String(t), '--names', names], `simdnn/onnx ${t}T`);
if (!argv.includes('--no-peers')) for (const t of [1, 2]) res[`ort${t}`] = child(['--part', 'ort', '--threads', String(t), '--names', names], `onnxruntime-web ${t}T`);
const f = (v) => (v === undefined || v === null ? '—' : v.toFixed(0));
const ratio = (a, b) => (a && b ? `x${(b / a).toFixed(2)}` : '—');
console.log(`\n# Imported ONNX models: load and inference, batch 1, 224x224, median ms of ${RUNS} (Node ${process.version})\n`);
console.log('| model | MB | load | ours 1T | ours 2T | ort-web 1T | ort-web 2T | ort/ours 1T | ort/ours 2T |\n|---|---|---|---|---|---|---|---|---|');
for (const n of MODELS) {
  const o = (t) => res[`ours${t}`]?.[n];
  const r = (t) => res[`ort${t}`]?.[n];
  console.log(`| ${n} | ${(readFileSync(file(n)).length / 1e6).toFixed(1)} | ${f(o(1)?.load)} | ${f(o(1)?.infer)} | ${f(o(2)?.infer)} | ${f(r(1))} | ${f(r(2))} | ${ratio(o(1)?.infer, r(1))} | ${ratio(o(2)?.infer, r(2))} |`);
}
if (MODELS.includes('resnet18')) {
  const tr = {};
  for (const t of [1, 2]) tr[t] = child(['--part', 'train', '--threads', String(t), '--names', 'resnet18'], `fine-tuning step ${t}T`);
  console.log(`\n# Fine-tuning step of the imported resnet18 (forward + cross-entropy + backward + SGD momentum), batch 8, median ms: 1T ${f(tr[1]?.resnet18)}, 2T ${f(tr[2]?.resnet18)}`);
}
console.log('\nThe files are eval-mode exports (batch norm folded into the convs). onnxruntime-web runs inference only. Depthwise convolutions run on the direct depthwise kernels (src/ops/conv2d-depthwise.ts).');
