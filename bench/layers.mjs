// Per-layer-type profile of a batch-1 224x224 inference forward (process CPU
// time, so other jobs on a shared machine do not count; at 1 thread that is the
// forward's own time). Every leaf module's forward is wrapped with a timer;
// convs are keyed by kernel/stride/channels; what a block spends outside its
// children (ResNet's residual add) is reported as "<Block> glue".
//
//   npm run build && node bench/layers.mjs [--models resnet50,vgg16] [--threads 1] [--runs 5] [--no-fold]
//
// Batch norm is folded first (as bench/models.mjs does) unless --no-fold.
//
// --train: per-layer profile of a training step instead (bench/lib/train-profile.mjs):
// forward and backward per layer, conv layers also by phase (forward / data
// gradient / filter gradient) and path.
//   node bench/layers.mjs --train [--models resnet18,vgg16] [--batch 8] [--threads 1] [--runs 3] [--quick]
import * as sn from '../dist/index.js';
import { trainProfile } from './lib/train-profile.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const train = argv.includes('--train');
const quick = argv.includes('--quick');
const names = opt('--models', train ? (quick ? 'resnet18' : 'resnet18,vgg16') : 'resnet50,vgg16').split(',');
const threads = Number(opt('--threads', '1'));
const runs = Number(opt('--runs', train ? (quick ? '1' : '3') : '5'));
const fold = !argv.includes('--no-fold');

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

await sn.init({ threads });
if (train) {
  for (const name of names) await trainProfile(sn, name, { threads, batch: Number(opt('--batch', '8')), runs });
  sn.shutdown();
  process.exit(0);
}
for (const name of names) {
  const m = sn.models[name]({ seed: 1 });
  m.eval();
  if (fold) sn.nn.foldBatchNorm(m, [1, 3, 224, 224]);
  let acc = new Map();
  const add = (k, t) => acc.set(k, (acc.get(k) ?? 0) + t);
  for (const mod of m.modules()) {
    const leaf = mod.children().length === 0;
    // A hooked module tree runs its forwards eagerly (no graph plan: docs/graph.md), so every layer is
    // timed on its own; the graph executor's fused conv epilogues are not profiled here (bench/models.mjs times them).
    mod.registerForwardHook(() => {});
    wrap(mod, 'forward', leaf);
  }
  function wrap(mod, fn, leaf) {
    const inner = mod[fn].bind(mod);
    mod[fn] = (...args) => {
      const t0 = cpuMs();
      const out = inner(...args);
      const dt = cpuMs() - t0;
      let key = mod.typeName;
      if (mod.typeName === 'Conv2d') {
        const [, , h] = args[0].shape;
        key = `Conv2d ${mod.kernelSize[0]}x${mod.kernelSize[1]}/${mod.stride[0]} ${mod.inChannels}->${mod.outChannels} @${h}`;
      }
      if (leaf) add(key, dt);
      else if (mod.typeName !== 'Sequential' && mod !== m) add(`${mod.typeName} (whole)`, dt);
      else if (mod === m) add('TOTAL', dt);
      return out;
    };
  }
  const x = sn.randn([1, 3, 224, 224], { seed: 2 });
  const samples = [];
  for (let r = 0; r < runs + 2; r++) {
    acc = new Map();
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
    if (r >= 2) samples.push(acc);
  }
  const keys = [...samples[0].keys()];
  const med = (k) => { const v = samples.map((s) => s.get(k) ?? 0).sort((a, b) => a - b); return v[v.length >> 1]; };
  const rows = keys.map((k) => [k, med(k)]);
  const total = med('TOTAL');
  const leafTotal = rows.filter(([k]) => !k.endsWith('(whole)') && k !== 'TOTAL').reduce((a, [, v]) => a + v, 0);
  const byType = new Map();
  for (const [k, v] of rows) {
    if (k.endsWith('(whole)') || k === 'TOTAL') continue;
    const t = k.startsWith('Conv2d') ? 'Conv2d (all)' : k;
    byType.set(t, (byType.get(t) ?? 0) + v);
  }
  console.log(`\n${name}: ${threads} thread(s), batch norm ${fold ? 'folded' : 'not folded'}, median of ${runs} forwards, process CPU ms`);
  console.log(`  forward total ${total.toFixed(1)} ms; leaves ${leafTotal.toFixed(1)}; outside leaves (residual add+ReLU, in-place ReLUs, fused bias/BN+ReLU passes) ${(total - leafTotal).toFixed(1)}`);
  for (const [k, v] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(34)} ${v.toFixed(1).padStart(8)}  ${(100 * v / total).toFixed(1).padStart(5)}%`);
  console.log('  convs by shape:');
  for (const [k, v] of rows.filter(([k]) => k.startsWith('Conv2d')).sort((a, b) => b[1] - a[1])) console.log(`    ${k.padEnd(40)} ${v.toFixed(1).padStart(8)}`);
  // The wasm memory never shrinks: only the first model's figure is its own (fold's traced pass included).
  const mem = sn.backendInfo().memoryBytes / 1e6;
  const weights = m.parameters().reduce((a, p) => a + p.size, 0) * 4 / 1e6;
  console.log(`  wasm memory ${mem.toFixed(0)} MB = ${(mem / weights).toFixed(2)}x the ${weights.toFixed(0)} MB of weights` +
    (name === names[0] ? '' : ' (high-water mark of this process: earlier models included)'));
  x.dispose();
  m.dispose();
}
sn.shutdown();
