// Per-layer profile of one training step (forward, cross-entropy, backward,
// SGD momentum) for bench/layers.mjs --train. Forward: every leaf module's
// forward is timed. Backward: every node of the recorded graph has its
// backward closure timed and is charged to the leaf layer whose forward
// recorded it (nodes recorded outside any leaf, e.g. a residual block's add,
// are "outside layers"). What backward() does between the closures (gradient
// sums, frees) is "engine". A conv node's backward computes both gradients in
// one closure, so each conv layer is also timed alone on its shapes and
// weights, phase by phase (forward, data gradient, filter gradient, with the
// bias gradient when the layer has one), next to the path the chooser takes.
import { pathOf } from './conv-path.mjs';
import { median, wholeCallSamples } from './timing.mjs';

/** Milliseconds: process CPU time on one thread (other jobs on a shared machine do not count), else wall clock. */
const clockFor = (threads) => (threads === 1
  ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
  : () => performance.now());

/** Claims for `key` every graph node behind `out` not claimed yet, stopping at the layer's inputs. */
function claim(nodeKey, out, inputs, key) {
  const stack = out && out.gradFn ? [out] : [];
  while (stack.length) {
    const t = stack.pop();
    if (inputs.includes(t) || !t.gradFn || nodeKey.has(t.gradFn)) continue;
    nodeKey.set(t.gradFn, key);
    stack.push(...t.gradFn.inputs);
  }
}

/** Every node of the graph behind `root`. */
function graphNodes(root) {
  const nodes = new Set();
  const stack = [root];
  while (stack.length) {
    const t = stack.pop();
    if (!t.gradFn || nodes.has(t.gradFn)) continue;
    nodes.add(t.gradFn);
    stack.push(...t.gradFn.inputs);
  }
  return nodes;
}

/** Median ms of each conv layer's forward, data gradient and filter gradient alone, at its shapes. */
async function convPhases(sn, convs, runs, now) {
  const out = new Map();
  const cache = new Map();
  for (const [path, { mod, shape }] of convs) {
    const sig = JSON.stringify([shape, mod.weight.shape, mod.stride, mod.padding, mod.dilation, mod.groups, !!mod.bias]);
    if (!cache.has(sig)) {
      const opts = { stride: mod.stride, padding: mod.padding, dilation: mod.dilation, groups: mod.groups };
      const x = sn.randn(shape, { seed: 3 });
      const w = sn.keep(mod.weight.detach().clone());
      const b = mod.bias ? sn.keep(mod.bias.detach().clone()) : null;
      const t = async (fn) => median(await wholeCallSamples(fn, { warmup: 1, minRuns: runs, maxRuns: runs }));
      const fwd = await t(() => { const t0 = now(); sn.noGrad(() => sn.F.conv2d(x, w, b, opts)).dispose(); return now() - t0; });
      const gradOf = (leaves) => t(() => {
        for (const l of leaves) l.requiresGrad = true;
        const y = sn.F.conv2d(x, w, b, opts);
        const gy = sn.randn(y.shape, { seed: 4 });
        const t0 = now();
        y.backward(gy);
        const ms = now() - t0;
        for (const l of leaves) { l.grad.dispose(); l.grad = null; l.requiresGrad = false; }
        y.dispose(); gy.dispose();
        return ms;
      });
      const data = await gradOf([x]);
      const filter = await gradOf(b ? [w, b] : [w]);
      for (const v of [x, w, b]) v?.dispose();
      cache.set(sig, { fwd, data, filter });
    }
    out.set(path, cache.get(sig));
  }
  return out;
}

export async function trainProfile(sn, name, { threads, batch, runs }) {
  const now = clockFor(threads);
  // 'vgg11_bn' etc.: torchvision's name for a VGG with batch norm.
  const m = name.endsWith('_bn') ? sn.models[name.slice(0, -3)]({ seed: 1, batchNorm: true }) : sn.models[name]({ seed: 1 });
  m.train();
  const opt = new sn.optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sn.keep(sn.randn([batch, 3, 224, 224], { seed: 2 }));
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 131) % 1000);
  const kinds = new Map(); // leaf path -> type label
  const convs = new Map(); // conv path -> { mod, shape }
  let fwd, bwd, nodeKey;
  const add = (acc, k, ms) => acc.set(k, (acc.get(k) ?? 0) + ms);
  for (const [path, mod] of m.namedModules()) {
    if (mod.children().length !== 0) continue;
    const type = mod.typeName === 'Conv2d'
      ? `Conv2d ${mod.kernelSize[0]}x${mod.kernelSize[1]}/${mod.stride[0]} ${mod.inChannels}->${mod.outChannels}` : mod.typeName;
    kinds.set(path, type);
    const inner = mod.forward;
    mod.forward = (...args) => {
      const t0 = now();
      const out = inner(...args);
      add(fwd, path, now() - t0);
      claim(nodeKey, out, args, path);
      if (mod.typeName === 'Conv2d' && !convs.has(path)) convs.set(path, { mod, shape: args[0].shape });
      return out;
    };
  }
  const samples = [];
  for (let r = 0; r < runs + 1; r++) {
    fwd = new Map(); bwd = new Map(); nodeKey = new Map();
    const whole = new Map();
    sn.tidy(() => {
      const t0 = now();
      opt.zeroGrad();
      const logits = m.forward(x);
      const t1 = now();
      const loss = sn.F.crossEntropy(logits, y);
      claim(nodeKey, loss, [logits], '(loss)');
      const t2 = now();
      for (const node of graphNodes(loss)) {
        const key = nodeKey.get(node) ?? `(outside layers) ${node.name}`;
        // backwardReluMasked: a batch norm's backward that also applies the ReLU after it (src/backward.ts).
        for (const fn of ['backward', 'backwardReluMasked']) {
          const inner = node[fn];
          if (inner) node[fn] = (g) => { const s = now(); const r = inner(g); add(bwd, key, now() - s); return r; };
        }
      }
      const t3 = now();
      loss.backward();
      const t4 = now();
      opt.step();
      const t5 = now();
      add(fwd, '(loss)', t2 - t1);
      whole.set('forward', t1 - t0).set('backward', t4 - t3).set('step', t5 - t4).set('total', (t5 - t0) - (t3 - t2));
    });
    if (r > 0) samples.push({ fwd, bwd, whole });
  }
  const med = (pick) => median(samples.map(pick));
  const keys = [...new Set(samples.flatMap((s) => [...s.fwd.keys(), ...s.bwd.keys()]))];
  const rows = keys.map((k) => ({ k, f: med((s) => s.fwd.get(k) ?? 0), b: med((s) => s.bwd.get(k) ?? 0) }));
  const whole = (k) => med((s) => s.whole.get(k));
  const engine = whole('backward') - rows.reduce((a, r) => a + r.b, 0);
  const outside = whole('forward') - rows.filter((r) => kinds.has(r.k)).reduce((a, r) => a + r.f, 0);
  const phases = await convPhases(sn, convs, Math.max(1, Math.min(runs, 3)), now);

  console.log(`\n${name}: training step, batch ${batch}, 224x224, ${threads} thread(s), median of ${runs} steps after 1 warm-up, ms of ${threads === 1 ? 'process CPU time' : 'wall clock'}`);
  console.log(`  step ${whole('total').toFixed(0)} = forward ${whole('forward').toFixed(0)} + backward ${whole('backward').toFixed(0)} (engine: gradient sums and frees ${engine.toFixed(0)}) + SGD step ${whole('step').toFixed(0)} (+ loss); forward outside the leaf layers (residual adds, concatenations) ${outside.toFixed(1)}`);
  const byType = new Map();
  for (const { k, f, b } of rows) {
    const t = kinds.has(k) ? (kinds.get(k).startsWith('Conv2d') ? 'Conv2d (all)' : kinds.get(k)) : k;
    const a = byType.get(t) ?? { f: 0, b: 0 };
    byType.set(t, { f: a.f + f, b: a.b + b });
  }
  console.log(`  by layer type            forward   backward   % of step`);
  for (const [t, { f, b }] of [...byType].sort((p, q) => (q[1].f + q[1].b) - (p[1].f + p[1].b))) {
    console.log(`    ${t.padEnd(26)} ${f.toFixed(1).padStart(7)} ${b.toFixed(1).padStart(10)} ${(100 * (f + b) / whole('total')).toFixed(1).padStart(10)}`);
  }
  console.log('  per layer (in the step: forward, backward; conv alone at its shapes: forward / data gradient / filter gradient, path)');
  console.log('  (each row is its own median over the steps: rows need not add up to the totals)');
  for (const { k, f, b } of rows) {
    const p = phases.get(k);
    const conv = convs.get(k);
    const alone = p ? `  alone ${p.fwd.toFixed(1)} / ${p.data.toFixed(1)} / ${p.filter.toFixed(1)}  ${pathOf({
      C: conv.mod.inChannels, OC: conv.mod.outChannels, k: conv.mod.kernelSize[0], s: conv.mod.stride[0], p: conv.mod.padding[0], groups: conv.mod.groups,
    })}` : '';
    const label = kinds.get(k) ?? '';
    console.log(`    ${k.padEnd(28)} ${label.padEnd(26)} ${f.toFixed(1).padStart(7)} ${b.toFixed(1).padStart(8)}${alone}`);
  }
  x.dispose();
  m.dispose();
}
