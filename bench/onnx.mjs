// simdnn/onnx benchmark (issue 13): torchvision mobilenet_v2, squeezenet1_1 and
// resnet18 with random weights, exported by torch.onnx (scripts/onnx_torchvision.py,
// the exporter `npm run check:onnx` uses: eval mode, batch norm folded, opset 13)
// into a temporary folder that is removed at the end, and loaded with loadOnnx:
//  - load time of each file;
//  - batch-1 224x224 inference at 1 and 2 threads, beside onnxruntime-web running
//    the same file and tfjs-backend-wasm running the same architecture (built from
//    tfjs ops, bench/lib/tfjs-models.mjs; one thread: its Node build has no pool);
//  - one fine-tuning step (forward + cross-entropy + backward + SGD momentum) of
//    the imported resnet18 at batch 8;
//  - the imported resnet18 beside the zoo's own with the same weights: the zoo
//    model (seed 1) written by saveOnnx and loaded back, timed in the same process
//    in alternating rounds, and the ratio imported / zoo (target ≤ 1.05), for
//    inference at batch 1 and a training step at batch 8 (batch norm in train mode).
// Without /usr/bin/python3 + python3-torch the torchvision files cannot be made
// (BENCH_PYTHON names another interpreter; a missing one shows that case):
// the bench says so and runs what needs only simdnn (the zoo resnet18 through
// saveOnnx: load, inference beside onnxruntime-web, fine-tuning, zoo ratio).
// Medians; each configuration in its own Node process. BENCH_CLOCK=cpu times the
// one-thread parts with process CPU time (the machine may be shared); the
// two-thread parts always use the wall clock (CPU time would add both threads).
//
//   npm run build && node bench/run.mjs onnx
//   node bench/onnx.mjs [--quick] [--no-peers] [--models mobilenet_v2,squeezenet1_1,resnet18]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { clockName, clockNow, median, medianMs } from './lib/timing.mjs';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const QUICK = argv.includes('--quick');
const SAMPLES = QUICK ? 3 : 7;
const timed = (fn) => medianMs(fn, { samples: SAMPLES, sampleMs: 0, warmupMs: 0, warmupCalls: 2 });
const MODELS = opt('--models', 'mobilenet_v2,squeezenet1_1,resnet18').split(',').filter(Boolean);
/** The zoo's resnet18 written by saveOnnx (same weights as sn.models.resnet18({ seed: 1 })). */
const ZOO_FILE = 'zoo_resnet18';
const INPUT = [1, 3, 224, 224];

// ---- parts: each runs in a child process and prints one JSON line ----
async function simdnn(threads) {
  const sn = await import('../dist/index.js');
  const onnx = await import('../dist/onnx.js');
  await sn.init({ threads });
  return { sn, ...onnx };
}

async function partExportZoo(dir) {
  const { sn, saveOnnx } = await simdnn(1);
  const m = sn.models.resnet18({ seed: 1 });
  m.eval();
  writeFileSync(join(dir, `${ZOO_FILE}.onnx`), saveOnnx(m, { inputShape: INPUT }));
  sn.shutdown();
  return { ok: true };
}

async function partOurs(threads, dir, names) {
  const { sn, loadOnnx } = await simdnn(threads);
  const out = {};
  for (const name of names) {
    const bytes = new Uint8Array(readFileSync(join(dir, `${name}.onnx`)));
    const loads = [];
    for (let i = 0; i < 3; i++) {
      const t0 = clockNow();
      const m = loadOnnx(bytes);
      loads.push(clockNow() - t0);
      m.dispose();
    }
    const m = loadOnnx(bytes);
    m.eval();
    const x = sn.randn(INPUT, { seed: 2 });
    out[name] = { load: median(loads), infer: await timed(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); })) };
    x.dispose();
    m.dispose();
  }
  sn.shutdown();
  return out;
}

/** The zoo's resnet18 and its saveOnnx -> loadOnnx copy, alternating rounds so that a busy spell hits both. */
async function partZoo(threads, dir) {
  const { sn, loadOnnx } = await simdnn(threads);
  const zoo = sn.models.resnet18({ seed: 1 });
  zoo.eval();
  const imported = loadOnnx(new Uint8Array(readFileSync(join(dir, `${ZOO_FILE}.onnx`))));
  imported.eval();
  const x = sn.randn(INPUT, { seed: 2 });
  const a = sn.noGrad(() => zoo.forward(x)).toFloat32Array();
  const b = sn.noGrad(() => imported.forward(x)).toFloat32Array();
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  const run = (m) => () => sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
  const zs = [], is = [];
  for (let r = 0; r < 3; r++) {
    zs.push(await timed(run(zoo)));
    is.push(await timed(run(imported)));
  }
  sn.shutdown();
  return { zoo: median(zs), imported: median(is), maxDiff };
}

/** One training step (batch 8) of the zoo's resnet18 and of its saveOnnx -> loadOnnx copy, alternating. */
async function partZooTrain(threads, dir) {
  const { sn, loadOnnx } = await simdnn(threads);
  const zoo = sn.models.resnet18({ seed: 1 });
  const imported = loadOnnx(new Uint8Array(readFileSync(join(dir, `${ZOO_FILE}.onnx`))));
  const x = sn.randn([8, 3, 224, 224], { seed: 3 });
  const y = new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const step = (m) => {
    m.train();
    const opt = new sn.optim.SGD(m.parameters(), { lr: 0.001, momentum: 0.9 });
    return () => sn.tidy(() => {
      opt.zeroGrad();
      sn.F.crossEntropy(m.forward(x), y).backward();
      opt.step();
    });
  };
  const z = step(zoo), i = step(imported);
  const zs = [], is = [];
  for (let r = 0; r < 2; r++) {
    zs.push(await timed(z));
    is.push(await timed(i));
  }
  sn.shutdown();
  return { zoo: Math.min(...zs), imported: Math.min(...is) };
}

async function partTrain(threads, dir, name) {
  const { sn, loadOnnx } = await simdnn(threads);
  const m = loadOnnx(new Uint8Array(readFileSync(join(dir, `${name}.onnx`))));
  m.train();
  const opt = new sn.optim.SGD(m.parameters(), { lr: 0.001, momentum: 0.9 });
  const x = sn.randn([8, 3, 224, 224], { seed: 3 });
  const y = new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const ms = await timed(() => sn.tidy(() => {
    opt.zeroGrad();
    sn.F.crossEntropy(m.forward(x), y).backward();
    opt.step();
  }));
  sn.shutdown();
  return { [name]: ms };
}

async function partOrt(threads, dir, names) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const out = {};
  for (const name of names) {
    const session = await ort.InferenceSession.create(join(dir, `${name}.onnx`));
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), INPUT) };
    out[name] = await timed(() => session.run(feeds));
    await session.release();
  }
  return out;
}

async function partTfjs(names) {
  const { timeTfjsWasm } = await import('./lib/tfjs-models.mjs');
  return timeTfjsWasm(names, timed);
}

const part = opt('--part');
if (part) {
  const threads = Number(opt('--threads', '1'));
  const dir = opt('--dir');
  const names = opt('--names', '').split(',').filter(Boolean);
  const fns = {
    exportZoo: () => partExportZoo(dir),
    ours: () => partOurs(threads, dir, names),
    zoo: () => partZoo(threads, dir),
    zooTrain: () => partZooTrain(threads, dir),
    train: () => partTrain(threads, dir, names[0]),
    ort: () => partOrt(threads, dir, names),
    tfjs: () => partTfjs(names),
  };
  console.log(JSON.stringify(await fns[part]()));
  process.exit(0);
}

// ---- driver ----
function child(args, label, threads = 1) {
  // CPU time is only meaningful for one thread: the two-thread parts use the wall clock.
  const env = { ...process.env };
  if (threads > 1) delete env.BENCH_CLOCK;
  const r = spawnSync(process.execPath, [self, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  try {
    if (r.status === 0) return JSON.parse((r.stdout ?? '').trim().split('\n').pop());
  } catch { /* reported below */ }
  console.log(`(${label} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' / ')})`);
  return null;
}

const dir = mkdtempSync(join(tmpdir(), 'simdnn-bench-onnx-'));
try {
  // torchvision files, made the way `npm run check:onnx` makes them.
  const py = spawnSync(process.env.BENCH_PYTHON ?? '/usr/bin/python3', [join(root, 'scripts', 'onnx_torchvision.py'), dir, ...MODELS], { encoding: 'utf8' });
  const made = MODELS.filter((n) => { try { return statSync(join(dir, `${n}.onnx`)).size > 0; } catch { return false; } });
  if (py.error || py.status !== 0) {
    const why = py.error ? py.error.message : (py.stderr || '').trim().split('\n').filter((l) => !/warn/i.test(l)).slice(-1)[0];
    console.log(`(no torchvision ONNX files: ${process.env.BENCH_PYTHON ?? '/usr/bin/python3'} with python3-torch and python3-torchvision is needed to export them (${why}); running the parts that need only simdnn: the zoo's resnet18 written by saveOnnx)`);
  }
  const zooOk = child(['--part', 'exportZoo', '--dir', dir], 'saveOnnx of the zoo resnet18') !== null;
  const files = [...made, ...(zooOk ? [ZOO_FILE] : [])];
  const names = files.join(',');
  const peers = !argv.includes('--no-peers');
  const res = {};
  for (const t of [1, 2]) {
    res[`ours${t}`] = child(['--part', 'ours', '--threads', String(t), '--dir', dir, '--names', names], `simdnn/onnx ${t}T`, t);
    if (peers) res[`ort${t}`] = child(['--part', 'ort', '--threads', String(t), '--dir', dir, '--names', names], `onnxruntime-web ${t}T`, t);
  }
  if (peers) res.tfjs = child(['--part', 'tfjs', '--names', [...made, ...(zooOk ? ['resnet18'] : [])].join(',')], 'tfjs-backend-wasm');

  const f = (v) => (v === undefined || v === null ? '—' : v.toFixed(1));
  const ratio = (ours, peer) => (ours && peer ? `x${(peer / ours).toFixed(2)}` : '—');
  console.log(`\n# Imported ONNX models: load and inference, batch 1, 224x224, median ms (${clockName} for 1T and the load, wall clock for 2T; Node ${process.version})\n`);
  console.log('| model | file MB | load | ours 1T | ours 2T | ort-web 1T | ort-web 2T | tfjs-wasm 1T | ort/ours 1T | ort/ours 2T | tfjs/ours 1T |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of files) {
    const o = (t) => res[`ours${t}`]?.[n];
    const r = (t) => res[`ort${t}`]?.[n];
    const tj = res.tfjs?.[n === ZOO_FILE ? 'resnet18' : n];
    const label = n === ZOO_FILE ? 'resnet18 (zoo, via saveOnnx)' : n;
    console.log(`| ${label} | ${(statSync(join(dir, `${n}.onnx`)).size / 1e6).toFixed(1)} | ${f(o(1)?.load)} | ${f(o(1)?.infer)} | ${f(o(2)?.infer)} | ` +
      `${f(r(1))} | ${f(r(2))} | ${f(tj)} | ${ratio(o(1)?.infer, r(1))} | ${ratio(o(2)?.infer, r(2))} | ${ratio(o(1)?.infer, tj)} |`);
  }
  const mb = res.ours1?.mobilenet_v2?.infer;
  if (mb !== undefined) {
    const ok = (t) => (res[`ours${t}`]?.mobilenet_v2?.infer ?? Infinity) <= (res[`ort${t}`]?.mobilenet_v2 ?? -Infinity);
    console.log(`\nTarget mobilenet_v2 b1 ≤ onnxruntime-web: 1T ${ok(1) ? 'met' : 'not met'}, 2T ${ok(2) ? 'met' : 'not met'}.`);
  }
  const big = res.ours1?.resnet18?.load;
  if (big !== undefined) console.log(`Target load of the ${(statSync(join(dir, 'resnet18.onnx')).size / 1e6).toFixed(0)} MB resnet18 file ≤ 500 ms: ${big.toFixed(0)} ms, ${big <= 500 ? 'met' : 'not met'}.`);

  if (zooOk) {
    console.log('\n# The imported resnet18 beside the zoo\'s own, same weights (zoo model seed 1 -> saveOnnx -> loadOnnx), batch 1, median ms');
    console.log('\n| threads | zoo | imported | imported / zoo (target ≤ 1.05) | max |logit diff| | train step b8: zoo | imported | imported / zoo |\n|---|---|---|---|---|---|---|---|');
    for (const t of [1, 2]) {
      const z = child(['--part', 'zoo', '--threads', String(t), '--dir', dir], `zoo vs imported ${t}T`, t);
      const tr = child(['--part', 'zooTrain', '--threads', String(t), '--dir', dir], `zoo vs imported training ${t}T`, t);
      const r = (a, b) => (a && b ? (b / a).toFixed(3) : '—');
      console.log(`| ${t} | ${f(z?.zoo)} | ${f(z?.imported)} | ${r(z?.zoo, z?.imported)} | ${z ? z.maxDiff.toExponential(1) : '—'} | ${f(tr?.zoo)} | ${f(tr?.imported)} | ${r(tr?.zoo, tr?.imported)} |`);
    }
    console.log('(inference: median of 3 rounds, each a median; training: the better of 2 rounds, each a median)');
  }

  const trainFile = made.includes('resnet18') ? 'resnet18' : zooOk ? ZOO_FILE : null;
  if (trainFile) {
    const tr = {};
    for (const t of [1, 2]) tr[t] = child(['--part', 'train', '--threads', String(t), '--dir', dir, '--names', trainFile], `fine-tuning step ${t}T`, t);
    console.log(`\n# Fine-tuning step of the imported ${trainFile === ZOO_FILE ? 'zoo resnet18 (saveOnnx file)' : 'resnet18'} (forward + cross-entropy + backward + SGD momentum), batch 8, median ms: 1T ${f(tr[1]?.[trainFile])}, 2T ${f(tr[2]?.[trainFile])}`);
  }

  // simdnn/onnx's cost in a bundle: dist/onnx.js (it imports the core from dist/index.js, not a copy).
  try {
    const js = readFileSync(join(root, 'dist', 'onnx.js'));
    // tests/cli/spawn.test.ts rebuilds dist unminified (SIMDNN_MINIFY=0): that is not what ships.
    if (js.toString('utf8').split('\n').length > 1000) throw new Error('unminified');
    const gz = gzipSync(js, { level: 9 }).length;
    console.log(`\nsimdnn/onnx (dist/onnx.js, minified, with the protobuf code) adds ${(gz / 1024).toFixed(1)} KB gzip to a bundle (target ≤ 40 KB): ${gz <= 40 * 1024 ? 'met' : 'not met'}.`);
  } catch {
    console.log('\n(dist/onnx.js is missing or not minified, e.g. after npm test: run npm run build for its size)');
  }
  console.log('\nThe torchvision files are eval-mode exports (batch norm folded into the convs by the exporter); the zoo file keeps its BatchNormalization nodes. onnxruntime-web and tfjs run inference only; tfjs-backend-wasm runs one thread in Node.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
