// Run by conv2d-depthwise-relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (see relaxed-runner.ts for why): the depthwise cases with the baseline and
// the relaxed build at 1 thread, and the thread cases with the relaxed build at
// 1, 2 and 3 threads; [y, dx, dw, db] as base64, JSON on stdout.
import * as sn from '../../src/index.js';
import { randomArray } from '../helpers.js';
import { CASES, THREAD_CASES, type DepthwiseCase } from './conv2d-depthwise-cases.js';
import { toBase64 } from './relaxed-builds.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function run([, xs, ws, opts]: DepthwiseCase): string[] {
  return sn.tidy(() => {
    const x = sn.tensor(randomArray(size(xs), 1), xs, { requiresGrad: true });
    const w = sn.tensor(randomArray(size(ws), 2), ws, { requiresGrad: true });
    const b = sn.tensor(randomArray(ws[0], 3), [ws[0]], { requiresGrad: true });
    const y = sn.F.conv2d(x, w, b, opts);
    y.backward(sn.tensor(randomArray(y.size, 4), y.shape));
    return [y, x.grad!, w.grad!, b.grad!].map((t) => toBase64(t.toFloat32Array()));
  });
}

const out: Record<string, { simd: string; outputs: string[][] }> = {};
for (const [key, simd, threads, cases] of [
  ['baseline', 'baseline', 1, CASES], ['relaxed', 'relaxed', 1, CASES],
  ['relaxed1', 'relaxed', 1, THREAD_CASES], ['relaxed2', 'relaxed', 2, THREAD_CASES], ['relaxed3', 'relaxed', 3, THREAD_CASES],
] as const) {
  const warn = console.warn;
  console.warn = () => {}; // more threads than cores
  await sn.init({ threads, simd });
  console.warn = warn;
  out[key] = { simd: sn.backendInfo().simd, outputs: cases.map(run) };
  sn.shutdown();
}
process.stdout.write(JSON.stringify(out) + '\n');
