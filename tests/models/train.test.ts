import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('training a zoo model end to end', () => {
  it('LeNet-5 fits a fixed batch with SGD (modules + autograd + optimizer), memory flat inside tidy', () => {
    const model = sn.models.lenet5({ seed: 4 });
    const opt = new sn.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = sn.randn([16, 1, 32, 32], { seed: 5 });
    const y = Int32Array.from({ length: 16 }, (_, i) => i % 10);
    const losses: number[] = [];
    let mem = 0;
    for (let step = 0; step < 40; step++) {
      losses.push(sn.tidy(() => {
        opt.zeroGrad();
        const loss = sn.F.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      }));
      if (step === 2) mem = sn.backendInfo().memoryBytes;
    }
    expect(losses[0]).toBeGreaterThan(2);
    expect(losses[39]).toBeLessThan(0.2 * losses[0]);
    expect(sn.backendInfo().memoryBytes).toBe(mem);
  });

  it('a ResNet BasicBlock trains in training mode and its batch-norm counters advance', () => {
    const block = new sn.nn.BasicBlock(4, 8, 2);
    const opt = new sn.optim.SGD(block.parameters(), { lr: 0.1 });
    const x = sn.randn([4, 4, 8, 8], { seed: 6 });
    const target = sn.randn([4, 8, 4, 4], { seed: 7 });
    const first = sn.tidy(() => sn.F.mseLoss(block.forward(x), target).item());
    for (let i = 0; i < 20; i++) {
      sn.tidy(() => {
        opt.zeroGrad();
        sn.F.mseLoss(block.forward(x), target).backward();
        opt.step();
      });
    }
    const last = sn.tidy(() => sn.F.mseLoss(block.forward(x), target).item());
    expect(last).toBeLessThan(first);
    expect(block.bn1.numBatchesTracked.item()).toBe(22);
    expect(block.downsample!.namedStates().find(([n]) => n === '1.num_batches_tracked')![1].item()).toBe(22);
  });
});
