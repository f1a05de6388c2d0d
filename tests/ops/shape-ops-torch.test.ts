// The shape and indexing ops, N-D matmul and einsum against PyTorch 1.13
// (tests/fixtures/shape_ops.json, written by scripts/fixtures/shape_ops.py):
// outputs (bit-exact: these ops move data, or run the same GEMM) and the
// gradients of Σ out_i * probe_i.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { maxRelErr } from '../helpers.js';
import { intTensor, boolTensor } from './shape-helpers.js';

interface Arr { shape: number[]; data: (number | null)[] }
interface Case {
  op: string;
  args: Record<string, unknown>;
  inputs: Record<string, Arr>;
  ints: Record<string, Arr>;
  bools: Record<string, Arr>;
  outs: Arr[];
  probes: Arr[];
  grads: Record<string, Arr>;
  list: boolean;
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/shape_ops.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const num = (a: Arr) => Float32Array.from(a.data, (v) => (v === null ? NaN : v));

type Run = (t: Record<string, Tensor>, a: Record<string, any>) => Tensor | Tensor[];
const runners: Record<string, Run> = {
  transpose: (t, a) => sn.transpose(t.x, a.dim0, a.dim1),
  permute: (t, a) => sn.permute(t.x, a.dims),
  squeeze: (t, a) => sn.squeeze(t.x, a.dim),
  unsqueeze: (t, a) => sn.unsqueeze(t.x, a.dim),
  expand: (t, a) => sn.expand(t.x, a.shape),
  flatten: (t, a) => sn.flatten(t.x, a.start, a.end),
  view: (t, a) => sn.reshape(t.x, a.shape),
  reshape: (t, a) => sn.reshape(t.x, a.shape),
  narrow: (t, a) => sn.narrow(t.x, a.dim, a.start, a.length),
  slice: (t, a) => sn.slice(t.x, a.dim, a.start, a.end, a.step),
  select: (t, a) => sn.select(t.x, a.dim, a.index),
  indexSelect: (t, a) => sn.indexSelect(t.x, a.dim, t.index),
  gather: (t, a) => sn.gather(t.x, a.dim, t.index),
  scatterAdd: (t, a) => sn.scatterAdd(t.x, a.dim, t.index, t.src),
  maskedFill: (t, a) => sn.maskedFill(t.x, t.mask, a.value),
  cat: (t, a) => sn.cat(floats(t), a.dim),
  stack: (t, a) => sn.stack(floats(t), a.dim),
  split: (t, a) => sn.split(t.x, a.sizeOrSizes, a.dim),
  chunk: (t, a) => sn.chunk(t.x, a.chunks, a.dim),
  pad: (t, a) => sn.F.pad(t.x, a.pads, a.mode === undefined ? undefined : { mode: a.mode, ...(a.value === undefined ? {} : { value: a.value }) }),
  matmul: (t) => sn.matmul(t.x, t.y),
  einsum: (t, a) => sn.einsum(a.equation, ...floats(t)),
};
function floats(t: Record<string, Tensor>): Tensor[] {
  return ['x', 'y', 'z'].filter((k) => k in t).map((k) => t[k]);
}

describe('shape ops against PyTorch', () => {
  for (const [name, c] of Object.entries(fixtures.cases)) {
    it(name, () => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) t[k] = sn.tensor(num(v), v.shape, { requiresGrad: k in c.grads });
      for (const [k, v] of Object.entries(c.ints)) t[k] = intTensor(v.data as number[], v.shape);
      for (const [k, v] of Object.entries(c.bools)) t[k] = boolTensor(v.data as number[], v.shape);
      const res = runners[c.op](t, c.args);
      const outs = Array.isArray(res) ? res : [res];
      expect(Array.isArray(res)).toBe(c.list);
      expect(outs.length).toBe(c.outs.length);
      // matmul/einsum sum in another order than torch's; everything else is exact.
      const tol = c.op === 'matmul' || c.op === 'einsum' ? 1e-5 : 0;
      outs.forEach((o, i) => {
        expect(o.shape).toEqual(c.outs[i].shape);
        if (tol === 0) expect(Array.from(o.toFloat32Array())).toEqual(Array.from(num(c.outs[i])));
        else expect(maxRelErr(o.toFloat32Array(), num(c.outs[i]), tol, tol)).toBeLessThanOrEqual(1);
      });
      if (Object.keys(c.grads).length === 0) return;
      let loss: Tensor | null = null;
      outs.forEach((o, i) => {
        // Σ out_i * probe_i through matmul: flatten both, a dot product per output.
        const term = sn.matmul(sn.reshape(o, [-1]), sn.tensor(num(c.probes[i]), [c.probes[i].data.length]));
        loss = loss === null ? term : sn.F.add(loss, term);
      });
      loss!.backward();
      for (const [k, g] of Object.entries(c.grads)) {
        expect(t[k].grad, `grad of ${k}`).not.toBeNull();
        expect(t[k].grad!.shape).toEqual(g.shape);
        expect(maxRelErr(t[k].grad!.toFloat32Array(), num(g), 1e-5, 1e-5), `grad of ${k}`).toBeLessThanOrEqual(1);
      }
    });
  }
});
