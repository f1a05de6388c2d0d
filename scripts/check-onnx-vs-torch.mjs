// `npm run check:onnx`: whole torchvision models (random weights) exported by
// torch.onnx into a temporary folder (never committed) by scripts/onnx_torchvision.py,
// loaded with simdnn/onnx (dist/onnx.js) and compared with PyTorch's outputs.
// Needs /usr/bin/python3 with python3-torch and python3-torchvision.
//   node scripts/check-onnx-vs-torch.mjs [name ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sn from '../dist/index.js';
import { loadOnnx } from '../dist/onnx.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const names = process.argv.slice(2).length ? process.argv.slice(2) : ['resnet18', 'googlenet', 'alexnet', 'vgg11_bn', 'squeezenet1_1', 'mobilenet_v2'];
const dir = mkdtempSync(join(tmpdir(), 'simdnn-onnx-check-'));
const f32 = (path) => { const b = readFileSync(path); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
let failed = 0;
try {
  const py = spawnSync('/usr/bin/python3', [join(root, 'scripts/onnx_torchvision.py'), dir, ...names], { stdio: ['ignore', 'inherit', 'pipe'] });
  if (py.status !== 0) throw new Error(`the exporter failed:\n${py.stderr.toString().split('\n').filter((l) => !/Warning|warn/.test(l)).slice(-15).join('\n')}`);
  await sn.init({ threads: 2 });
  for (const name of names) {
    const shapes = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    const bytes = new Uint8Array(readFileSync(join(dir, `${name}.onnx`)));
    let t0 = performance.now();
    let m;
    try {
      m = loadOnnx(bytes);
    } catch (e) {
      console.log(`${name}: FAIL at load: ${e.message}`);
      failed++;
      continue;
    }
    const loadMs = performance.now() - t0;
    m.eval();
    t0 = performance.now();
    const y = sn.noGrad(() => m.forward(sn.tensor(f32(join(dir, `${name}.input.bin`)), shapes.input)));
    const runMs = performance.now() - t0;
    const ref = f32(join(dir, `${name}.output.bin`));
    const ours = y.toFloat32Array();
    const scale = ref.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[i]));
    const argmax = (a) => a.reduce((b, v, i) => (v > a[b] ? i : b), 0);
    const ok = y.shape.join() === shapes.output.join() && worst <= 1e-3 * scale && argmax(ours) === argmax(ref);
    if (!ok) failed++;
    console.log(`${name}: ${ok ? 'ok' : 'FAIL'}  ${(bytes.length / 1e6).toFixed(1)} MB, ${m.nodes.length} nodes, load ${loadMs.toFixed(0)} ms, forward ${runMs.toFixed(0)} ms (2 threads, measured under load); max |diff| ${worst.toExponential(2)} (output scale ${scale.toFixed(3)}), same top-1: ${argmax(ours) === argmax(ref)}`);
    m.dispose();
  }
  sn.shutdown();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? `${failed} model(s) failed` : 'all models match PyTorch');
process.exit(failed ? 1 : 0);
