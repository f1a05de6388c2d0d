// The functional ops against PyTorch 1.13 (tests/fixtures/ops.json, written by
// scripts/fixtures/ops.py): outputs, gradients of sum(out * probe), and the
// running statistics after a batch-norm training step.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { maxRelErr } from '../helpers.js';

interface Arr { shape: number[]; data: number[] }
interface Case {
  inputs: Record<string, Arr>;
  out: Arr;
  probe: Arr;
  grads: Record<string, Arr>;
  dim?: number;
  opts?: Record<string, number>;
  training?: boolean;
  runningMeanAfter?: Arr;
  runningVarAfter?: Arr;
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/ops.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };
const cases = fixtures.cases;

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

type Run = (c: Case, t: Record<string, Tensor>) => Tensor;
const F = sn.F;
function runners(name: string): Run {
  if (name === 'relu') return (_, t) => F.relu(t.x);
  if (name === 'tanh') return (_, t) => F.tanh(t.x);
  if (name === 'sigmoid') return (_, t) => F.sigmoid(t.x);
  if (name.startsWith('softmax')) return (c, t) => F.softmax(t.x, c.dim!);
  if (name.startsWith('logSoftmax')) return (c, t) => F.logSoftmax(t.x, c.dim!);
  if (name.startsWith('lrn')) return (c, t) => F.localResponseNorm(t.x, c.opts as { size: number });
  if (name.startsWith('batchNorm')) {
    return (c, t) => F.batchNorm(t.x, t.runningMean, t.runningVar, t.weight ?? null, t.bias ?? null, { training: c.training });
  }
  if (name.startsWith('add')) return (_, t) => F.add(t.a, t.b);
  if (name.startsWith('concat')) return (c, t) => F.concat(Object.keys(c.inputs).map((k) => t[k]), c.dim!);
  if (name === 'flatten') return (_, t) => F.flatten(t.x);
  throw new Error(`no runner for ${name}`);
}

// Transcendental ops are ~1-2 ulp from torch's; sums in a different order differ by a few ulp.
const ATOL = 2e-6;
const RTOL = 2e-5;

describe('sn.F against PyTorch', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) {
        t[k] = sn.tensor(v.data, v.shape, { requiresGrad: k in c.grads });
      }
      const out = runners(name)(c, t);
      expect(out.shape).toEqual(c.out.shape);
      expect(maxRelErr(out.toFloat32Array(), c.out.data, ATOL, RTOL), `${name} output`).toBeLessThanOrEqual(1);
      out.backward(sn.tensor(c.probe.data, c.probe.shape));
      for (const [k, g] of Object.entries(c.grads)) {
        expect(t[k].grad, `${name} grad ${k}`).not.toBeNull();
        expect(t[k].grad!.shape).toEqual(g.shape);
        expect(maxRelErr(t[k].grad!.toFloat32Array(), g.data, 2e-5, 1e-4), `${name} grad ${k}`).toBeLessThanOrEqual(1);
      }
      if (c.runningMeanAfter) {
        expect(maxRelErr(t.runningMean.toFloat32Array(), c.runningMeanAfter.data, ATOL, RTOL), 'running mean').toBeLessThanOrEqual(1);
        expect(maxRelErr(t.runningVar.toFloat32Array(), c.runningVarAfter!.data, ATOL, RTOL), 'running var').toBeLessThanOrEqual(1);
      }
    });
  }
});
