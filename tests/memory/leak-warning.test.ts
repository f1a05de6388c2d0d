// docs/memory.md, rule 3: tensors that no rule will free (bare F calls with no
// step boundary) are reported once, with the count, the bytes and the way out.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { LEAK_WARNING_COUNT, _resetLeakWarning } from '../../src/memory/live-count.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('the leak warning', () => {
  it('fires once for a loop of bare F calls with no boundary, and not for the same loop under noGrad per iteration', () => {
    _resetLeakWarning();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const x = sn.ones([16]);
      for (let i = 0; i < LEAK_WARNING_COUNT / 2; i++) sn.noGrad(() => sn.F.relu(x));
      expect(warn).not.toHaveBeenCalled();
      const kept: Tensor[] = [];
      for (let i = 0; i < LEAK_WARNING_COUNT + 10; i++) kept.push(sn.F.relu(x));
      expect(warn).toHaveBeenCalledTimes(1);
      const msg = String(warn.mock.calls[0][0]);
      expect(msg).toMatch(/^simdnn: 10001 tensors \(0\.6 MiB\) made since the last step boundary are still alive/);
      expect(msg).toMatch(/opt\.zeroGrad\(\).*sn\.noGrad.*sn\.tidy.*dispose\(\)/);
      for (let i = 0; i < 100; i++) kept.push(sn.F.relu(x));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(sn.backendInfo().liveTensors).toBeGreaterThan(LEAK_WARNING_COUNT);
      // Two boundaries later the step tensors are gone (their last use was before both).
      sn.noGrad(() => 0);
      sn.noGrad(() => 0);
      expect(sn.backendInfo().liveTensors).toBeLessThan(100);
      expect(() => kept[0].toFloat32Array()).toThrow(/released at step boundary/);
    } finally {
      warn.mockRestore();
    }
  });
});
