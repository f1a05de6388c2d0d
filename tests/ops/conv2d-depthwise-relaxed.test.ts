// The depthwise kernels in the relaxed build (FMA through madd/smadd): close to
// the baseline build, and the same bits for 1, 2 and 3 threads.
import { describe, expect, it } from 'vitest';
import { bitsEqual, maxRelErr } from '../helpers.js';
import { fromBase64, runRelaxedChild } from './relaxed-runner.js';
import { CASES, THREAD_CASES } from './conv2d-depthwise-cases.js';

type Run = { simd: string; outputs: string[][] };

describe('conv2d depthwise path, relaxed-SIMD build', () => {
  it('agrees with the baseline build and gives the same bits on 1, 2 and 3 threads', async () => {
    const r = await runRelaxedChild<Record<string, Run>>(new URL('./conv2d-depthwise-relaxed-child.ts', import.meta.url));
    expect(r.baseline.simd).toBe('baseline');
    for (const k of ['relaxed', 'relaxed1', 'relaxed2', 'relaxed3']) expect(r[k].simd, k).toBe('relaxed');
    CASES.forEach(([name], i) => ['y', 'dx', 'dw', 'db'].forEach((out, j) => {
      const base = fromBase64(r.baseline.outputs[i][j]), fma = fromBase64(r.relaxed.outputs[i][j]);
      expect(fma.length).toBe(base.length);
      expect(maxRelErr(fma, base, 1e-4, 1e-4), `${out} of ${name}`).toBeLessThanOrEqual(1);
    }));
    THREAD_CASES.forEach(([name], i) => ['y', 'dx', 'dw', 'db'].forEach((out, j) => {
      for (const k of ['relaxed2', 'relaxed3']) {
        expect(bitsEqual(fromBase64(r[k].outputs[i][j]), fromBase64(r.relaxed1.outputs[i][j])), `${out} of ${name}, ${k}`).toBe(true);
      }
    }));
  });
});
