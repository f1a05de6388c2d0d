// The relaxed build (f32x4.relaxed_madd, 6x8 tile) against the baseline build
// (mul + add, 5x8 tile) on the same inputs. Node 20 has relaxed SIMD only
// behind --experimental-wasm-relaxed-simd, so the kernels run in a child
// process started with that flag (gemm-relaxed-child.ts, bundled here with
// esbuild); this file checks what it returns.
import { describe, expect, it } from 'vitest';
import { bitsEqual } from '../helpers.js';
import { fromBase64, runRelaxedChild } from './relaxed-runner.js';
import { RELAXED_CASES, relaxedOperands, type RelaxedCase } from './gemm-relaxed-cases.js';

interface ChildRun { simd: string; outputs: string[] }

const runChild = () => runRelaxedChild<{ baseline: ChildRun; relaxed: ChildRun }>(new URL('./gemm-relaxed-child.ts', import.meta.url));

/** Σ_k |a_ik·b_kj| (+|c_ij| when accumulating): the scale of element (i,j)'s rounding error. */
function magnitudes(c: RelaxedCase, index: number): Float64Array {
  const { a, b, c0 } = relaxedOperands(c, index);
  const out = new Float64Array(c.M * c.N);
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.N; j++) {
      let s = c.acc ? Math.abs(c0[i * c.N + j]) : 0;
      for (let k = 0; k < c.K; k++) {
        const av = c.tA ? a[k * c.M + i] : a[i * c.K + k];
        const bv = c.tB ? b[j * c.K + k] : b[k * c.N + j];
        s += Math.abs(av * bv);
      }
      out[i * c.N + j] = s;
    }
  }
  return out;
}

describe('relaxed-SIMD GEMM (child process with --experimental-wasm-relaxed-simd)', () => {
  it('agrees with the baseline build within 1e-5 relative, and really ran FMA', async () => {
    const { baseline, relaxed } = await runChild();
    expect(baseline.simd).toBe('baseline');
    expect(relaxed.simd).toBe('relaxed');
    expect(relaxed.outputs.length).toBe(RELAXED_CASES.length);
    let differing = 0;
    RELAXED_CASES.forEach((c, i) => {
      const base = fromBase64(baseline.outputs[i]);
      const fma = fromBase64(relaxed.outputs[i]);
      expect(fma.length).toBe(c.M * c.N);
      const mag = magnitudes(c, i);
      for (let e = 0; e < mag.length; e++) {
        const err = Math.abs(fma[e] - base[e]);
        if (!(err <= 1e-5 * mag[e])) {
          expect.fail(`${c.M}x${c.N}x${c.K} tA=${c.tA} tB=${c.tB} acc=${c.acc} element ${e}: relaxed ${fma[e]} vs baseline ${base[e]}`);
        }
      }
      if (!bitsEqual(fma, base)) differing++;
    });
    // FMA rounds once per multiply-add where mul + add rounds twice: over
    // hundreds of k some bits must differ, or the FMA kernel never ran.
    expect(differing).toBeGreaterThan(0);
  });
});
