// Run by conv-paths.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (see gemm-relaxed-child.ts for why): every (case, algorithm) run of the conv
// tester with the baseline build, and with the relaxed build on 1 and 2
// threads; [y, dx, dw, db] as base64, JSON on stdout.
import * as sn from '../../src/index.js';
import { CONV_ALGORITHMS, type ConvPath } from '../../src/ops/conv2d/algorithms.js';
import { caseGeometry, CONV_CASES, runCase } from './conv-paths-cases.js';
import { toBase64 } from './relaxed-builds.js';

const PATHS = Object.keys(CONV_ALGORITHMS) as ConvPath[];
const out: Record<string, { simd: string; outputs: string[][] }> = {};
for (const [key, simd, threads] of [['baseline', 'baseline', 1], ['relaxed1', 'relaxed', 1], ['relaxed2', 'relaxed', 2]] as const) {
  const warn = console.warn;
  console.warn = () => {}; // more threads than cores
  await sn.init({ threads, simd });
  console.warn = warn;
  const outputs = CONV_CASES.flatMap((c) => PATHS.filter((p) => CONV_ALGORITHMS[p].applies(caseGeometry(c)))
    .map((p) => runCase(c, p).map(toBase64)));
  out[key] = { simd: sn.backendInfo().simd, outputs };
  sn.shutdown();
}
process.stdout.write(JSON.stringify(out) + '\n');
