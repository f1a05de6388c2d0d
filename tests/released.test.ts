// Touching a released tensor (disposed, freed at the end of its tidy scope, or
// made before the last init) throws a clear SimdnnError; it never reads stale bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../src/index.js';
import type { Tensor } from '../src/tensor.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());
const F = sn.F;

const uses: [string, (t: Tensor) => unknown][] = [
  ['relu', (t) => F.relu(t)],
  ['softmax', (t) => F.softmax(t, 1)],
  ['add', (t) => F.add(t, t)],
  ['concat', (t) => F.concat([t], 0)],
  ['flatten', (t) => F.flatten(t)],
  ['dropout', (t) => F.dropout(t, { p: 0.5, seed: 1 })],
  ['batchNorm', (t) => F.batchNorm(t, null, null, null, null, { training: true })],
  ['linear', (t) => F.linear(t, sn.ones([2, 4]))],
  ['matmul', (t) => sn.matmul(t, sn.ones([4, 1]))],
  ['reshape', (t) => t.reshape([8])],
  ['clone', (t) => t.clone()],
  ['toFloat32Array', (t) => t.toFloat32Array()],
];

describe('released tensors', () => {
  for (const [name, use] of uses) {
    it(`${name} on a disposed tensor throws a SimdnnError naming the op`, () => {
      const t = sn.ones([2, 4]);
      t.dispose();
      expect(t.isDisposed).toBe(true);
      expect(() => use(t)).toThrow(sn.SimdnnError);
      expect(() => use(t)).toThrow(new RegExp(`^${name}: .*(disposed|released)`));
    });
    it(`${name} on a tensor freed at the end of its tidy throws`, () => {
      let inner: Tensor | null = null;
      const kept = sn.tidy(() => {
        inner = F.relu(sn.ones([2, 4]));
        return sn.ones([1]);
      });
      expect(kept.isDisposed).toBe(false);
      expect(inner!.isDisposed).toBe(true);
      expect(() => use(inner!)).toThrow(/(disposed|released \(disposed, or freed at the end of its tidy scope\))/);
    });
  }

  it('a view outlives its base, and the base alone is unusable after dispose', () => {
    const base = sn.tensor([1, 2, 3, 4], [2, 2]);
    const view = base.reshape([4]);
    base.dispose();
    expect(() => base.toFloat32Array()).toThrow(/disposed/);
    expect(Array.from(view.toFloat32Array())).toEqual([1, 2, 3, 4]);
  });

  it('backward through a graph whose saved tensors were freed throws instead of reading freed memory', () => {
    const x = sn.tensor([1, -2, 3], [3], { requiresGrad: true });
    const y = sn.tidy(() => F.sigmoid(F.tanh(x)));
    // Before the fix the freed tanh output silently became a leaf and x got no gradient.
    expect(() => y.backward(sn.ones([3]))).toThrow(/backward: the graph reaches a released tensor \[3\] \(input 0 of 'sigmoid'/);
    expect(x.grad).toBeNull(); // nothing written
    const z = F.relu(x);
    z.dispose();
    expect(() => z.backward(sn.ones([3]))).toThrow(/backward: the tensor \[3\] was released/);
  });

  it('a tensor made before the last init throws', async () => {
    const t = sn.ones([2]);
    sn.shutdown();
    await sn.init({ threads: 1 });
    expect(() => F.relu(t)).toThrow(/relu: the tensor was made before the last init\(\)\/shutdown\(\)/);
  });
});
