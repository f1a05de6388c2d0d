// Shape ops on a [16, 64, 128, 128] float32 tensor (16M elements, 64 MB):
// the strided copies behind permute/slice/expand/pad/cat, beside a plain
// block copy of the same bytes (Float32Array.set) in the same run, and
// batched matmul. GB/s counts bytes read + written.
//   npm run build && node bench/shape.mjs [reps]
import * as sn from '../dist/index.js';
import { medianMs } from './lib/timing.mjs';

const REPS = Number(process.argv[2] ?? 5);
const median = (fn) => medianMs(fn, { warmupCalls: 1, warmupMs: 0, sampleMs: 0, samples: REPS });
await sn.init({ threads: 1 });
const shape = [16, 64, 128, 128];
const n = shape.reduce((a, b) => a * b, 1);
const x = sn.randn(shape, { seed: 1 });
const row = (name, ms, bytes) => console.log(`${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms ${(bytes / ms / 1e6).toFixed(2).padStart(6)} GB/s`);

const a = new Float32Array(n);
const b = new Float32Array(n);
row('plain copy (Float32Array.set)', await median(() => b.set(a)), 8 * n);
const cases = [
  ['permute NCHW->NHWC', () => sn.permute(x, [0, 2, 3, 1]), 8 * n],
  ['transpose(-1, -2)', () => sn.transpose(x, -1, -2), 8 * n],
  ['permute [1,0,2,3]', () => sn.permute(x, [1, 0, 2, 3]), 8 * n],
  ['slice(3, 0, 128, 2)', () => sn.slice(x, 3, 0, 128, 2), 4 * n],
  ['expand [1,64,1,128] -> x', () => sn.expand(sn.zeros([1, 64, 1, 128]), shape), 4 * n],
  ['cat([x, x], 1)', () => sn.cat([x, x], 1), 16 * n],
  ["F.pad [1,1,1,1] 'reflect'", () => sn.F.pad(x, [1, 1, 1, 1], { mode: 'reflect' }), 8 * n],
];
for (const [name, f, bytes] of cases) row(name, await median(() => f().dispose()), bytes);

const qs = [8, 8, 128, 64];
const q = sn.randn(qs, { seed: 2 }).toFloat32Array();
const k = sn.randn(qs, { seed: 3 }).toFloat32Array();
for (const threads of [1, 2]) {
  sn.shutdown();
  await sn.init({ threads });
  const qq = sn.tensor(q, qs);
  const kk = sn.tensor(k, qs);
  const ms = await median(() => sn.einsum('bhqd,bhkd->bhqk', qq, kk).dispose());
  console.log(`einsum bhqd,bhkd->bhqk [8,8,128,64] ${threads}T ${ms.toFixed(2)} ms ${(2 * 64 * 128 * 128 * 64 / ms / 1e6).toFixed(2)} GFLOP/s`);
}
sn.shutdown();
