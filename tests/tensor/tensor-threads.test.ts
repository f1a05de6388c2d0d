// The element-wise and reduction kernels give the same bits for any thread
// count: each kernel is run split over 1..5 simulated threads (what the pool
// does concurrently), and every reduction through the real pool at 1 and 2
// threads on inputs above the parallel cutoff.
import { afterAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterAll(() => sn.shutdown());

function split(name: string, args: (out: number) => number[], out: Tensor, nthreads: number): Float32Array {
  out.view().fill(NaN); // as float64 pairs too: 0xFFC00000 0xFFC00000 is a NaN
  const fn = backend().kernels[name];
  const a = args(out.ptr());
  for (let tid = 0; tid < nthreads; tid++) fn(...a, tid, nthreads);
  return out.toFloat32Array();
}

function expectThreadIndependent(name: string, outShape: number[], args: (out: number) => number[], float64Out = false): void {
  const out = sn.zeros(outShape);
  const one = split(name, args, out, 1);
  const written = float64Out ? new Float64Array(one.buffer, one.byteOffset, one.length / 2) : one;
  expect(Array.from(written).some(Number.isNaN), `${name}: an output was not written`).toBe(false);
  for (const n of [2, 3, 5]) expect(bitsEqual(split(name, args, out, n), one), `${name} with ${n} threads`).toBe(true);
}

describe('element-wise and reduction kernels split over threads', () => {
  it('binarySame, binaryScalar, unary, binaryStrided, reduceAxis, sumBlocks', async () => {
    await sn.init({ threads: 1 });
    const n = 315;
    const a = sn.tensor(randomArray(n, 1).map((v) => v * 4), [n]);
    const b = sn.tensor(randomArray(n, 2).map((v) => v + 1.5), [n]);
    for (let kind = 0; kind <= 6; kind++) {
      // pow (6) with the positive operand as the base: a negative base to a fractional power is NaN.
      expectThreadIndependent('binarySame', [n], (o) => (kind === 6 ? [kind, b.ptr(), a.ptr(), o, n] : [kind, a.ptr(), b.ptr(), o, n]));
      expectThreadIndependent('binaryScalar', [n], (o) => [kind, b.ptr(), 1.25, o, n, kind & 1]);
    }
    for (let kind = 0; kind <= 8; kind++) expectThreadIndependent('unary', [n], (o) => [kind, b.ptr(), o, n, -0.5, 2]);
    // [5, 9, 7] (op) [9, 1]: rows of 7 with a broadcast operand.
    const x = sn.tensor(randomArray(315, 3), [5, 9, 7]);
    const y = sn.tensor(randomArray(9, 4), [9, 1]);
    const meta = sn.tensor(Int32Array.from([5, 9, 7, 63, 7, 1, 0, 1, 0]), [9]);
    expectThreadIndependent('binaryStrided', [5, 9, 7], (o) => [2, x.ptr(), y.ptr(), o, meta.ptr(), 3]);
    for (let kind = 0; kind <= 3; kind++) {
      expectThreadIndependent('reduceAxis', [5, 7], (o) => [kind, x.ptr(), o, 5, 9, 7, 0.5]); // columns
      expectThreadIndependent('reduceAxis', [45], (o) => [kind, x.ptr(), o, 45, 7, 1, 1]); // rows
    }
    const long = sn.tensor(randomArray(5000, 5), [5000]);
    // sumBlocks writes float64 partials: 2 floats each.
    expectThreadIndependent('sumBlocks', [2 * 20], (o) => [long.ptr(), o, 5000, 256], true);
    sn.shutdown();
  });
});

describe('reductions through the pool: 1 and 2 threads give the same bits', () => {
  const shape = [6, 300, 97]; // 174,600 values: above the element-wise parallel cutoff
  const data = randomArray(6 * 300 * 97, 11).map((v) => v * 3);
  const run = (): Float32Array[] => {
    const x = sn.tensor(data, shape, { requiresGrad: true });
    const outs: Tensor[] = [
      sn.sum(x), sn.sum(x, 1), sn.sum(x, 2), sn.sum(x, [0, 2]), sn.mean(x, [1, 2]), sn.prod(x.mul(0.01).add(1), 1),
      sn.amax(x, 1), sn.amin(x), sn.logsumexp(x, 2), sn.var(x, 1), sn.std(x), sn.norm(x, 2, 0), sn.cumsum(x, 1),
      sn.max(x, 2).values, sn.argmax(x, 1).float(), sn.topk(x, 3, 1).values,
      x.add(sn.tensor(randomArray(97, 12), [97])), x.mul(x).sub(1.5).exp(),
    ];
    const res = outs.map((o) => o.toFloat32Array());
    sn.sum(x, [0, 1]).sum().backward();
    res.push(x.grad!.toFloat32Array());
    return res;
  };
  it('every reduction, its gradient and the broadcast ops', async () => {
    await sn.init({ threads: 1 });
    const one = run();
    sn.shutdown();
    await sn.init({ threads: 2 });
    expect(sn.backendInfo().threads).toBe(2);
    const two = run();
    two.forEach((t, i) => expect(bitsEqual(t, one[i]), `output ${i}`).toBe(true));
  });
});
