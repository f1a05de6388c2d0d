// Child side of relaxed-runner.ts: computes the same outputs with the baseline
// and the relaxed build and prints both as JSON on stdout. Imports nothing
// test-only, so esbuild can bundle it into a plain Node script.
import * as sn from '../../src/index.js';

export interface BuildRun<T> { simd: string; outputs: T[] }

export const toBase64 = (f: Float32Array): string => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');

async function runBuild<T>(simd: 'baseline' | 'relaxed', compute: () => T[]): Promise<BuildRun<T>> {
  await sn.init({ threads: 1, simd });
  const reported = sn.backendInfo().simd;
  const outputs = compute();
  sn.shutdown();
  return { simd: reported, outputs };
}

/** Prints { baseline, relaxed }: compute() run under each build. */
export async function printBothBuilds<T>(compute: () => T[]): Promise<void> {
  const baseline = await runBuild('baseline', compute);
  const relaxed = await runBuild('relaxed', compute);
  process.stdout.write(JSON.stringify({ baseline, relaxed }) + '\n');
}
