// The element-wise ops and reductions against PyTorch 1.13
// (tests/fixtures/tensor_ops.json, written by scripts/fixtures/tensor_ops.py):
// values, dtypes, shapes, NaN/±inf, and gradients of sum(out * probe).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';

type Num = number | 'nan' | 'inf' | '-inf';
interface Arr { shape: number[]; dtype: DType; data: Num[] }
interface Case {
  op: string;
  args: unknown[];
  opts: Record<string, unknown> | null;
  inputs: Record<string, Arr>;
  out: Arr | { values: Arr; indices: Arr };
  probe?: Arr;
  grads?: Record<string, Arr>;
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/tensor_ops.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };

const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
function make(a: Arr, requiresGrad: boolean): Tensor {
  const data = a.data.map(num);
  if (a.dtype === 'float32') return sn.tensor(Float32Array.from(data), a.shape, { requiresGrad });
  return sn.tensor(Int32Array.from(data), a.shape, { dtype: a.dtype });
}

function expectClose(got: Tensor, want: Arr, what: string, tol = 1e-5): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  const g = got.toFloat32Array();
  want.data.forEach((w, i) => {
    const v = num(w);
    if (Number.isNaN(v)) expect(g[i], `${what}[${i}]`).toBeNaN();
    else if (!Number.isFinite(v)) expect(g[i], `${what}[${i}]`).toBe(v);
    else expect(Math.abs(g[i] - v), `${what}[${i}]: ${g[i]} vs ${v}`).toBeLessThanOrEqual(tol * (1 + Math.abs(v)));
  });
}

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('tensor ops vs PyTorch 1.13', () => {
  for (const [name, c] of Object.entries(fixtures.cases)) {
    it(name, () => {
      const inputs: Record<string, Tensor> = {};
      for (const [k, a] of Object.entries(c.inputs)) inputs[k] = make(a, !!c.grads && k in c.grads);
      const args = c.args.map((a) => {
        if (a !== null && typeof a === 'object' && 't' in (a as object)) return inputs[(a as { t: string }).t];
        if (a === 'inf') return Infinity;
        return a;
      });
      if (c.opts) args.push(c.opts);
      const fn = (sn as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op];
      const result = fn(...args);
      let out: Tensor;
      if ('values' in c.out) {
        const r = result as { values: Tensor; indices: Tensor };
        expectClose(r.values, c.out.values, 'values');
        expectClose(r.indices, c.out.indices, 'indices');
        out = r.values;
      } else {
        out = result as Tensor;
        expectClose(out, c.out, 'out');
      }
      if (c.probe && c.grads) {
        const probe = make(c.probe, false);
        out.backward(probe);
        for (const [k, want] of Object.entries(c.grads)) {
          const g = inputs[k].grad;
          expect(g, `grad of ${k}`).not.toBeNull();
          expectClose(g!, want, `grad ${k}`, 1e-4);
        }
      }
    });
  }
});
