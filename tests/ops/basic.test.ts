// Tensor creation: options are checked by name and errors name the function called.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('tensor creation options', () => {
  it('unknown options are SimdnnErrors naming the function', () => {
    expect(() => sn.tensor([1, 2], [2], { requiresGrad: true, foo: 1 } as never)).toThrow(/^tensor: unknown option 'foo'/);
    expect(() => sn.zeros([2], { requiresgrad: true } as never)).toThrow(/^zeros: unknown option 'requiresgrad'/);
    expect(() => sn.ones([2], { seed: 1 } as never)).toThrow(/^ones: unknown option 'seed'/);
    expect(() => sn.full([2], 1, { x: 1 } as never)).toThrow(/^full: unknown option 'x'/);
    expect(() => sn.randn([2], { sead: 1 } as never)).toThrow(/^randn: unknown option 'sead' \(valid: seed, requiresGrad\)/);
    expect(() => sn.rand([2], { requiresGrad: true, seeed: 1 } as never)).toThrow(/^rand: unknown option 'seeed'/);
  });

  it('bad shapes name zeros/ones, not the helper they share', () => {
    expect(() => sn.zeros([2, -1])).toThrow(/^zeros: shape \[2,-1\]/);
    expect(() => sn.ones([1.5])).toThrow(/^ones: shape/);
  });

  it('the listed options still work', () => {
    expect(sn.zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(sn.randn([3], { seed: 4, requiresGrad: true }).toFloat32Array()).toEqual(sn.randn([3], { seed: 4 }).toFloat32Array());
    expect(sn.tensor([1], [1], {}).item()).toBe(1);
  });
});

describe('shape', () => {
  it('shape and size are read-only: editing them would desynchronise them from the memory behind the tensor', () => {
    const t = sn.ones([2, 3]);
    expect(() => {
      (t.shape as number[])[0] = 1000;
    }).toThrow(TypeError);
    expect(() => {
      (t as { shape: number[] }).shape = [1000, 3];
    }).toThrow(TypeError);
    expect(() => {
      (t as { size: number }).size = 3000;
    }).toThrow(TypeError);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(sn.F.relu(t).shape).toEqual([2, 3]);
  });
});
