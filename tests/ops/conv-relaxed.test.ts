// conv2d and pools with the relaxed build (FMA GEMM) against the baseline build,
// in a child process with --experimental-wasm-relaxed-simd (relaxed-runner.ts
// explains why). FMA changes the last bits, nothing more.
import { describe, expect, it } from 'vitest';
import { maxRelErr } from '../helpers.js';
import { fromBase64, runRelaxedChild } from './relaxed-runner.js';
import { CONV_RELAXED_LAYERS } from './conv-relaxed-cases.js';

interface ChildRun { simd: string; outputs: string[][] }

const runChild = () => runRelaxedChild<{ baseline: ChildRun; relaxed: ChildRun }>(new URL('./conv-relaxed-child.ts', import.meta.url));

describe('conv2d and pools, relaxed-SIMD build', () => {
  it('agree with the baseline build on every path (forward and gradients)', async () => {
    const { baseline, relaxed } = await runChild();
    expect(baseline.simd).toBe('baseline');
    expect(relaxed.simd).toBe('relaxed');
    CONV_RELAXED_LAYERS.forEach((l, i) => {
      ['y', 'pooled', 'dx', 'dw', 'db'].forEach((name, j) => {
        const base = fromBase64(baseline.outputs[i][j]);
        const fma = fromBase64(relaxed.outputs[i][j]);
        expect(fma.length).toBe(base.length);
        expect(maxRelErr(fma, base, 1e-4, 1e-4), `${name} of layer ${l.xs} * ${l.ws}`).toBeLessThanOrEqual(1);
      });
    });
  });
});
