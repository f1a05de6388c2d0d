// exp/log/tanh/sigmoid as computed in wasm (assembly/math.ts), against float64 Math.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const FNS = { exp: 0, log: 1, tanh: 2, sigmoid: 3 } as const;
function wasm(fn: keyof typeof FNS, xs: number[]): Float32Array {
  const x = sn.tensor(xs, [xs.length]);
  const out = sn.zeros([xs.length]);
  backend().kernels.mathTest(FNS[fn], x.ptr(), out.ptr(), xs.length);
  return out.toFloat32Array();
}

/** Distance in float32 units in the last place between a float32 result and an exact value. */
function ulps(got: number, exact: number): number {
  if (got === exact) return 0;
  const f = Math.fround(exact);
  const a = Math.abs(f) || 1.401298464324817e-45;
  const e = Math.max(Math.floor(Math.log2(a)), -126);
  return Math.abs(got - exact) / 2 ** (e - 23);
}

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(lo + ((hi - lo) * i) / (n - 1)));
}

describe('wasm transcendentals', () => {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const cases: [keyof typeof FNS, number[], (v: number) => number, number][] = [
    ['exp', grid(-87, 88.7, 20001), Math.exp, 2],
    ['exp', grid(-103, -87, 2001), Math.exp, 1], // subnormal results: absolute error within one subnormal step
    ['log', [...grid(1e-6, 10, 10001), ...grid(10, 1e30, 2001), 1e-40, 3e-39, 1.17549435e-38, 3.4e38], Math.log, 2],
    ['tanh', grid(-12, 12, 20001), Math.tanh, 3],
    ['sigmoid', grid(-80, 30, 20001), sigmoid, 3],
  ];
  for (const [fn, xs, ref, maxUlps] of cases) {
    it(`${fn} on [${xs[0]}, ${xs[xs.length - 1]}] is within ${maxUlps} ulp`, () => {
      const got = wasm(fn, xs);
      let worst = 0;
      let at = 0;
      xs.forEach((x, i) => {
        const u = ulps(got[i], ref(x));
        if (!(u <= worst)) (worst = u), (at = x);
      });
      expect(worst, `${fn}(${at})`).toBeLessThanOrEqual(maxUlps);
    });
  }

  it('handles special values', () => {
    expect(Array.from(wasm('exp', [0, -Infinity, Infinity, -200, 89]))).toEqual([1, 0, Infinity, 0, Infinity]);
    expect(Number.isFinite(wasm('exp', [88.72])[0])).toBe(true); // just below FLT_MAX
    expect(Number.isNaN(wasm('exp', [NaN])[0])).toBe(true);
    expect(Array.from(wasm('log', [1, 0, Infinity]))).toEqual([0, -Infinity, Infinity]);
    const bad = wasm('log', [-1, NaN, -Infinity]);
    expect(Array.from(bad).every(Number.isNaN)).toBe(true);
    expect(Array.from(wasm('tanh', [Infinity, -Infinity, 0, 30, -30]))).toEqual([1, -1, 0, 1, -1]);
    expect(Array.from(wasm('sigmoid', [Infinity, -Infinity, 0, -200]))).toEqual([1, 0, 0.5, 0]);
  });
});
