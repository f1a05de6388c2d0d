// Child side of the relaxed-build check of tester.ts, run in a child
// `node --experimental-wasm-relaxed-simd` (see ../ops/relaxed-runner.ts for
// why): every case of one family with the relaxed build on 1 and 2 threads,
// the outputs as base64, JSON on stdout.
import * as sn from '../../src/index.js';
import { toBase64 } from '../ops/relaxed-builds.js';
import { runFamily, type KernelCase, type KernelFamily } from './family.js';

export async function printRelaxedRuns(family: KernelFamily): Promise<void> {
  const out: Record<string, { simd: string; outputs: string[][] }> = {};
  let cases: KernelCase[] | null = null;
  for (const [key, threads] of [['relaxed1', 1], ['relaxed2', 2]] as const) {
    const warn = console.warn;
    console.warn = () => {}; // more threads than cores
    await sn.init({ threads, simd: 'relaxed' });
    console.warn = warn;
    out[key] = { simd: sn.backendInfo().simd, outputs: runFamily(cases ??= family.cases()).map((o) => o.map(toBase64)) };
    sn.shutdown();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
