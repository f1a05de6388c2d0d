// backward({ retainGraph }) and sn.autograd.grad.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

function net() {
  const x = sn.tensor(randomArray(12, 1), [3, 4]);
  const w = sn.tensor(randomArray(20, 2), [5, 4], { requiresGrad: true });
  const b = sn.tensor(randomArray(5, 3), [5], { requiresGrad: true });
  const gamma = sn.ones([5], { requiresGrad: true });
  const h = sn.F.linear(x, w, b);
  const bn = sn.F.batchNorm(h, null, null, gamma, null, { training: true });
  const loss = sn.F.crossEntropy(sn.F.tanh(bn), [0, 4, 2]);
  return { x, w, b, gamma, h, loss };
}

describe('backward({ retainGraph })', () => {
  it('a retained graph backs up again and accumulates; then it is freed', () => {
    const { w, gamma, loss } = net();
    loss.backward({ retainGraph: true });
    const g1 = w.grad!.toFloat32Array();
    const gg1 = gamma.grad!.toFloat32Array();
    loss.backward(undefined, { retainGraph: false });
    expect(w.grad!.toFloat32Array()).toEqual(g1.map((v) => Math.fround(v + v)));
    expect(gamma.grad!.toFloat32Array()).toEqual(gg1.map((v) => Math.fround(v + v)));
    expect(() => loss.backward()).toThrow(/a second time/);
  });
  it('rejects bad options', () => {
    const { loss } = net();
    expect(() => loss.backward({ retain: true } as never)).toThrow(/backward: unknown option/);
    expect(() => loss.backward(undefined, { retainGraph: 1 as never })).toThrow(/retainGraph must be true or false/);
  });
});

describe('sn.autograd.grad', () => {
  it('equals backward\'s gradients and leaves .grad alone', () => {
    const ref = net();
    ref.loss.backward();
    const { w, b, loss } = net();
    const before = sn.full([5], 7);
    b.grad = before;
    const [gw, gb] = sn.autograd.grad(loss, [w, b]);
    expect(gw.toFloat32Array()).toEqual(ref.w.grad!.toFloat32Array());
    expect(gb.toFloat32Array()).toEqual(ref.b.grad!.toFloat32Array());
    expect(w.grad).toBe(null);
    expect(b.grad).toBe(before);
    expect(() => loss.backward()).toThrow(/a second time/); // freed, as torch without retain_graph
  });
  it('with respect to an intermediate result', () => {
    const { h, loss } = net();
    const [gh] = sn.autograd.grad(loss, h, null, { retainGraph: true });
    // The same loss from a leaf holding h's values.
    const h2 = sn.tensor(h.toFloat32Array(), h.shape, { requiresGrad: true });
    const bn = sn.F.batchNorm(h2, null, null, sn.ones([5], { requiresGrad: true }), null, { training: true });
    sn.F.crossEntropy(sn.F.tanh(bn), [0, 4, 2]).backward();
    expect(gh.toFloat32Array()).toEqual(h2.grad!.toFloat32Array());
    loss.backward(); // retained: still usable
  });
  it('several outputs with gradOutputs sum their gradients', () => {
    const w = sn.tensor([1, 2, 3], [3], { requiresGrad: true });
    const a = sn.F.tanh(w);
    const c = sn.F.sigmoid(w);
    const ga = sn.tensor([1, 0, 2], [3]);
    const gc = sn.tensor([0.5, 1, 1], [3]);
    const [gw] = sn.autograd.grad([a, c], [w], [ga, gc]);
    const t = [1, 2, 3].map(Math.tanh);
    const s = [1, 2, 3].map((v) => 1 / (1 + Math.exp(-v)));
    const want = [0, 1, 2].map((i) => [1, 0, 2][i] * (1 - t[i] ** 2) + [0.5, 1, 1][i] * s[i] * (1 - s[i]));
    gw.toFloat32Array().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });
  it('bad input is a SimdnnError and changes nothing', () => {
    const { w, loss } = net();
    const unused = sn.zeros([2], { requiresGrad: true });
    expect(() => sn.autograd.grad(loss, [w, unused])).toThrow(/autograd.grad: inputs\[1\] \[2\] is not used/);
    expect(() => sn.autograd.grad(loss, [sn.zeros([2])])).toThrow(/does not require grad/);
    expect(() => sn.autograd.grad(loss, [w], [null, null])).toThrow(/one entry per output/);
    expect(w.grad).toBe(null);
    const [gw] = sn.autograd.grad(loss, w) as Tensor[];
    expect(gw.shape).toEqual([5, 4]);
  });
});
