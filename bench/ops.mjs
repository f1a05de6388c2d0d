// Element-wise ops and reductions: GB/s of simdnn at 1 and 2 threads beside
// tfjs-backend-wasm (one thread in Node) and plain JS loops, at 1M and 16M
// float32 elements, and the bandwidth of a plain copy kernel measured in the
// same run (assembly/binary.ts copyFloats on one thread, in its own instance;
// the element-wise target is >= 70% of it).
//
//   npm run build && node bench/ops.mjs [--sizes 1048576,16777216] [--threads 1,2]
//
// GB/s counts the bytes an op must move: reads + writes, 4 bytes a float
// (a + b -> out is 12 bytes an element; x.sum() is 4).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockName, medianMs, seededArray } from './lib/timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const SIZES = opt('--sizes', `${1 << 20},${1 << 24}`).split(',').map(Number);
const THREADS = opt('--threads', '1,2').split(',').map(Number);
const C = 256; // the broadcast operand: a [C] row vector against [n / C, C]

/** Each op: bytes moved per element, and how simdnn / tfjs / JS run it. */
const OPS = [
  { name: 'add (same shape)', bytes: 12, sn: (t) => t.a.add(t.b), tf: (tf, t) => tf.add(t.a, t.b), js: (d) => { const o = new Float32Array(d.a.length); for (let i = 0; i < o.length; i++) o[i] = d.a[i] + d.b[i]; return o; } },
  { name: 'mul (scalar)', bytes: 8, sn: (t) => t.a.mul(1.5), tf: (tf, t) => tf.mul(t.a, tf.scalar(1.5)), js: (d) => { const o = new Float32Array(d.a.length); for (let i = 0; i < o.length; i++) o[i] = d.a[i] * 1.5; return o; } },
  { name: 'add (broadcast [n/C, C] + [C])', bytes: 8, sn: (t) => t.a2.add(t.row), tf: (tf, t) => tf.add(t.a2, t.row), js: (d) => { const o = new Float32Array(d.a.length); for (let i = 0; i < o.length; i++) o[i] = d.a[i] + d.row[i % C]; return o; } },
  { name: 'maximum (broadcast [n/C, 1])', bytes: 8, sn: (t) => t.a2.maximum(t.col), tf: (tf, t) => tf.maximum(t.a2, t.col), js: (d) => { const o = new Float32Array(d.a.length); for (let i = 0; i < o.length; i++) o[i] = Math.max(d.a[i], d.col[(i / C) | 0]); return o; } },
  { name: 'exp', bytes: 8, sn: (t) => t.a.exp(), tf: (tf, t) => tf.exp(t.a), js: (d) => { const o = new Float32Array(d.a.length); for (let i = 0; i < o.length; i++) o[i] = Math.exp(d.a[i]); return o; } },
  { name: 'sum (all)', bytes: 4, sn: (t) => t.a.sum(), tf: (tf, t) => tf.sum(t.a), js: (d) => { let s = 0; for (let i = 0; i < d.a.length; i++) s += d.a[i]; return s; } },
  { name: 'sum (last dim of [n/C, C])', bytes: 4, sn: (t) => t.a2.sum(1), tf: (tf, t) => tf.sum(t.a2, 1), js: (d) => { const o = new Float32Array(d.a.length / C); for (let i = 0; i < d.a.length; i++) o[(i / C) | 0] += d.a[i]; return o; } },
  { name: 'sum (first dim of [n/C, C])', bytes: 4, sn: (t) => t.a2.sum(0), tf: (tf, t) => tf.sum(t.a2, 0), js: (d) => { const o = new Float64Array(C); for (let i = 0; i < d.a.length; i++) o[i % C] += d.a[i]; return o; } },
  { name: 'amax (last dim)', bytes: 4, sn: (t) => t.a2.amax(1), tf: (tf, t) => tf.max(t.a2, 1), js: (d) => { const o = new Float32Array(d.a.length / C).fill(-Infinity); for (let i = 0; i < d.a.length; i++) { const r = (i / C) | 0; if (d.a[i] > o[r]) o[r] = d.a[i]; } return o; } },
];

const gbps = (bytes, n, ms) => (bytes * n) / ms / 1e6;
const fmt = (v) => (v === undefined ? '      -' : v.toFixed(1).padStart(7));

/** The copy kernel and, for reference, the same-shape add kernel alone (no tensor allocation, no dispatch), one thread, in their own instance. */
async function kernelBandwidth(n) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const { instance } = await WebAssembly.instantiate(readFileSync(join(root, 'build', 'simdnn.wasm')), { env: { memory } });
  const k = instance.exports;
  const bytes = n * 4;
  memory.grow(Math.ceil((3 * bytes + 65536) / 65536));
  const src = 65536;
  const src2 = src + bytes;
  const dst = src2 + bytes;
  new Float32Array(memory.buffer, src, n).set(seededArray(n, 1));
  new Float32Array(memory.buffer, src2, n).set(seededArray(n, 2));
  // Timed as the ops are (median of samples), so the ratio compares like with like.
  const copy = gbps(8, n, await medianMs(() => k.copyFloats(src, dst, n, 0, 1)));
  const add = gbps(12, n, await medianMs(() => k.binarySame(0, src, src2, dst, n, 0, 1)));
  return { copy, add };
}

async function simdnn(threads, n) {
  const sn = await import(join(root, 'dist', 'index.js'));
  await sn.init({ threads });
  const a = sn.tensor(seededArray(n, 1), [n]);
  const t = { a, b: sn.tensor(seededArray(n, 2), [n]), a2: a.reshape([n / C, C]), row: sn.tensor(seededArray(C, 3), [C]), col: sn.tensor(seededArray(n / C, 4), [n / C, 1]) };
  const out = {};
  for (const op of OPS) out[op.name] = gbps(op.bytes, n, await medianMs(() => sn.tidy(() => { op.sn(t); })));
  sn.shutdown();
  return out;
}

async function tfjs(n) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  const a = tf.tensor1d(seededArray(n, 1));
  const t = { a, b: tf.tensor1d(seededArray(n, 2)), a2: tf.reshape(a, [n / C, C]), row: tf.tensor1d(seededArray(C, 3)), col: tf.tensor2d(seededArray(n / C, 4), [n / C, 1]) };
  const out = {};
  for (const op of OPS) out[op.name] = gbps(op.bytes, n, await medianMs(() => tf.tidy(() => { op.tf(tf, t); })));
  tf.disposeVariables();
  Object.values(t).forEach((x) => x.dispose());
  return out;
}

async function plainJs(n) {
  const d = { a: seededArray(n, 1), b: seededArray(n, 2), row: seededArray(C, 3), col: seededArray(n / C, 4) };
  const out = {};
  for (const op of OPS) out[op.name] = gbps(op.bytes, n, await medianMs(() => op.js(d)));
  return out;
}

let cpu = '';
try { cpu = execSync("lscpu | grep -E 'Model name|CPU family|Model:' | tr -s ' '", { encoding: 'utf8' }).trim().replace(/\n/g, '; '); } catch { /* no lscpu */ }
console.log(`ops: GB/s (bytes an op must move / median time, ${clockName}); ${cpu}`);
for (const n of SIZES) {
  const { copy, add } = await kernelBandwidth(n);
  const sn = {};
  for (const th of THREADS) sn[th] = await simdnn(th, n);
  const tf = await tfjs(n);
  const js = await plainJs(n);
  console.log(`\nn = ${n} (${(n / 1048576).toFixed(0)}M floats); plain copy kernel (1 thread): ${copy.toFixed(1)} GB/s; the add kernel alone: ${add.toFixed(1)} GB/s (${((100 * add) / copy).toFixed(0)}% of copy)`);
  console.log(`${'op'.padEnd(34)}${THREADS.map((th) => `  sn ${th}T`.padStart(7)).join('')}  %copy   tfjs-w     js  sn1T/tfjs`);
  for (const op of OPS) {
    const s1 = sn[THREADS[0]][op.name];
    const cells = THREADS.map((th) => fmt(sn[th][op.name])).join('');
    console.log(`${op.name.padEnd(34)}${cells}  ${((100 * s1) / copy).toFixed(0).padStart(4)}%  ${fmt(tf[op.name])} ${fmt(js[op.name])}  ${(s1 / tf[op.name]).toFixed(2).padStart(8)}x`);
  }
}
