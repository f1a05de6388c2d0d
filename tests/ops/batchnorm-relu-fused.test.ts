// The backward engine runs relu(batchNorm(x))'s backward inside the batch
// norm's passes when the ReLU is the batch norm output's only reader
// (src/backward.ts, GradNode.backwardReluMasked). Reference: the same graph
// with a `mul(y, 1)` between them (exact, so the same values), which the engine
// does not fuse. Gradients must have the same bits, at 1 and 2 threads.
import { afterAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterAll(() => sn.shutdown());

interface Case { shape: number[]; affine: boolean; training: boolean }
const CASES: Case[] = [
  { shape: [3, 5, 7, 3], affine: true, training: true }, // tails everywhere
  { shape: [2, 4, 19, 17], affine: true, training: true }, // blocks of 256 and a tail per row
  { shape: [4, 6, 130, 129], affine: true, training: true }, // big enough to split over threads
  { shape: [3, 5, 7, 3], affine: false, training: true },
  { shape: [6, 9], affine: true, training: true }, // [N, C]
  { shape: [2, 4, 19, 17], affine: true, training: false }, // running statistics, still differentiated
];

/** Gradients of sum(relu(bn(x)) · r) for x, weight, bias; `unfused`: a ·1 between the batch norm and the ReLU. */
function grads(c: Case, unfused: boolean, count?: { relu: number }): Float32Array[] {
  return sn.tidy(() => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const C = c.shape[1];
    const x = sn.tensor(randomArray(n, 1).map((v) => v * 3 + 0.2), c.shape);
    x.requiresGrad = true;
    const w = c.affine ? sn.tensor(randomArray(C, 2).map((v) => v + 0.5), [C]) : null;
    const b = c.affine ? sn.tensor(randomArray(C, 3), [C]) : null;
    if (w && b) w.requiresGrad = b.requiresGrad = true;
    const rm = sn.tensor(randomArray(C, 4), [C]);
    const rv = sn.tensor(randomArray(C, 5).map((v) => v + 1.5), [C]);
    const y = sn.F.batchNorm(x, rm, rv, w, b, { training: c.training });
    const h = sn.F.relu(unfused ? sn.mul(y, 1) : y);
    if (count) {
      const node = h.gradFn!;
      const inner = node.backward!;
      node.backward = (g: Tensor) => { count.relu++; return inner(g); };
    }
    const r = sn.tensor(randomArray(n, 6), c.shape);
    sn.sum(sn.mul(h, r)).backward();
    return [x, w, b].filter((t): t is Tensor => t !== null).map((t) => t.grad!.toFloat32Array());
  });
}

describe('relu(batchNorm(x)) backward in the batch norm passes', () => {
  for (const threads of [1, 2]) {
    for (const c of CASES) {
      it(`${threads} thread(s), ${JSON.stringify(c)}: same bits as the separate passes`, async () => {
        await sn.init({ threads });
        const count = { relu: 0 };
        const fused = grads(c, false, count);
        expect(count.relu, 'the ReLU backward ran on its own').toBe(0);
        const plain = grads(c, true);
        fused.forEach((g, i) => expect(bitsEqual(g, plain[i]), `gradient ${i}`).toBe(true));
        expect(fused.some((g) => g.some((v) => v !== 0))).toBe(true);
        sn.shutdown();
      });
    }
  }

  it('is not used when the batch norm output has another reader, or is what backward starts from', async () => {
    await sn.init({ threads: 1 });
    const count = { relu: 0 };
    sn.tidy(() => {
      const x = sn.tensor(randomArray(60, 1), [3, 4, 5]);
      x.requiresGrad = true;
      const y = sn.F.batchNorm(x, null, null, null, null, { training: true });
      const h = sn.F.relu(y);
      const inner = h.gradFn!.backward!;
      h.gradFn!.backward = (g: Tensor) => { count.relu++; return inner(g); };
      // y also read by the sum: its gradient is relu's plus 1 everywhere.
      sn.add(sn.sum(h), sn.sum(y)).backward();
      const ref = sn.tidy(() => {
        const x2 = sn.tensor(randomArray(60, 1), [3, 4, 5]);
        x2.requiresGrad = true;
        const y2 = sn.F.batchNorm(x2, null, null, null, null, { training: true });
        sn.add(sn.sum(sn.F.relu(sn.mul(y2, 1))), sn.sum(sn.mul(y2, 1))).backward();
        return sn.keep(x2.grad!);
      });
      expect(bitsEqual(x.grad!.toFloat32Array(), ref.toFloat32Array())).toBe(true);
      ref.dispose();
    });
    expect(count.relu).toBe(1);
  });

  it('retainGraph: a second backward through the fused pair gives the same gradient again', async () => {
    await sn.init({ threads: 1 });
    sn.tidy(() => {
      const x = sn.tensor(randomArray(60, 1), [3, 4, 5]);
      x.requiresGrad = true;
      const loss = sn.sum(sn.mul(sn.F.relu(sn.F.batchNorm(x, null, null, null, null, { training: true })), sn.tensor(randomArray(60, 2), [3, 4, 5])));
      loss.backward(undefined, { retainGraph: true });
      const first = x.grad!.toFloat32Array();
      x.grad = null;
      loss.backward();
      expect(bitsEqual(x.grad!.toFloat32Array(), first)).toBe(true);
    });
  });
});
