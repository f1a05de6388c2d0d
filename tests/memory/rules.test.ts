// docs/memory.md: what the rules keep (pre-loop tensors, the step's out and loss,
// kept tensors), what they release (with an error saying when and why), and
// that releasing changes no result bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { fixedBatch, memoryAt, plainLoop, TinyNet } from './loop-helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());
const F = sn.F;

const bytesOf = (ts: Tensor[]) => ts.map((t) => Array.from(new Uint8Array(t.toFloat32Array().buffer)));
/** Names of the tensors whose bytes differ (Buffer.equals: a deep toEqual over ResNet's 11M floats is far too slow). */
const differing = (a: Tensor[], b: Tensor[]) =>
  a.map((t, i) => (Buffer.from(t.toFloat32Array().buffer).equals(Buffer.from(b[i].toFloat32Array().buffer)) ? -1 : i)).filter((i) => i >= 0);

describe('what the plain loop keeps', () => {
  it("the step's out and loss stay valid after opt.step(), and the previous step's until the next boundary", () => {
    const model = sn.models.lenet5({ seed: 1 });
    const { x, y } = fixedBatch([4, 1, 32, 32], 10, 1);
    let prev: { out: Tensor; loss: number } | null = null;
    plainLoop(model, x, y, 10, (_step, out, loss) => {
      expect(out.toFloat32Array()).toHaveLength(40); // accuracy is computed from out here
      expect(Number.isFinite(loss.item())).toBe(true);
      if (prev) expect(prev.out.toFloat32Array()).toHaveLength(40);
      prev = { out, loss: loss.item() };
    });
  });

  it('pre-loop tensors (inputs, parameters, buffers, gradients, momentum, a scheduler) are intact after 200 steps', async () => {
    // A fresh backend: its era 0 is "before the loop" (earlier tests here ran loops of their own).
    sn.shutdown();
    await sn.init({ threads: 1 });
    const nn = sn.nn;
    const small = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(1), new nn.Linear(256, 10));
    const { x, y } = fixedBatch([4, 1, 8, 8], 10, 2);
    const xBytes = bytesOf([x]);
    const unrelated = sn.tensor([1, 2, 3], [3]);
    const opt = new sn.optim.SGD(small.parameters(), { lr: 0.01, momentum: 0.9 });
    const sched = new sn.optim.lrScheduler.StepLR(opt, { stepSize: 50, gamma: 0.5 });
    plainLoop(small, x, y, 200, () => sched.step(), opt);
    expect(bytesOf([x])).toEqual(xBytes);
    expect(Array.from(unrelated.toFloat32Array())).toEqual([1, 2, 3]);
    for (const p of small.parameters()) {
      expect(p.isDisposed).toBe(false);
      expect(p.grad!.isDisposed).toBe(false);
      expect((opt.state.get(p)!.momentumBuffer as Tensor).toFloat32Array().every(Number.isFinite)).toBe(true);
    }
    expect(opt.lr).toBeCloseTo(0.01 / 16);
    const runningVar = small.buffers()[1].toFloat32Array();
    expect(runningVar.every((v) => Number.isFinite(v) && v !== 1)).toBe(true); // updated 200 times, still readable
  });

  it('results are bit-identical to the same loop under tidy (LeNet-5 and ResNet-18)', () => {
    for (const [make, shape, steps] of [
      [() => sn.models.lenet5({ seed: 3 }), [4, 1, 32, 32], 20],
      [() => sn.models.resnet18({ numClasses: 10, seed: 3 }), [2, 3, 32, 32], 4],
    ] as [() => sn.nn.Module, number[], number][]) {
      const { x, y } = fixedBatch(shape, 10, 4);
      const plain = make();
      const plainLosses: number[] = [];
      plainLoop(plain, x, y, steps, (_s, _o, loss) => plainLosses.push(loss.item()));
      const tidied = make();
      const opt = new sn.optim.SGD(tidied.parameters(), { lr: 0.01, momentum: 0.9 });
      const tidyLosses: number[] = [];
      for (let s = 0; s < steps; s++) {
        tidyLosses.push(sn.tidy(() => {
          opt.zeroGrad();
          const loss = F.crossEntropy(tidied.forward(x), y);
          loss.backward();
          opt.step();
          return loss.item();
        }));
      }
      expect(plainLosses).toEqual(tidyLosses);
      expect(plain.parameters().length).toBeGreaterThan(0);
      expect(differing(plain.parameters(), tidied.parameters())).toEqual([]);
      expect(differing(plain.buffers(), tidied.buffers())).toEqual([]);
    }
  });
});

describe('ordinary code between steps', () => {
  it('two sn.noGrad results compared after both calls are valid (the boundary is at entry)', () => {
    const model = sn.models.lenet5({ seed: 2 });
    const { x, y } = fixedBatch([2, 1, 32, 32], 10, 4);
    plainLoop(model, x, y, 3, () => {}); // boundaries have started
    model.eval();
    const a = sn.noGrad(() => model.forward(x));
    const b = sn.noGrad(() => model.forward(x));
    expect(Array.from(a.toFloat32Array())).toEqual(Array.from(b.toFloat32Array()));
    const c = sn.noGrad(() => model.forward(x));
    // a was last used in the step that c's call just ended: still valid; one more boundary and it goes.
    expect(a.toFloat32Array()).toHaveLength(20);
    expect(c.toFloat32Array()).toHaveLength(20);
    sn.noGrad(() => 0);
    sn.noGrad(() => 0);
    expect(() => a.toFloat32Array()).toThrow(/released at step boundary \d+ \(sn.noGrad\)/);
    model.train();
  });

  it('a best = model.stateDict() snapshot taken mid-training loads back after many steps', () => {
    const model = sn.models.lenet5({ seed: 3 });
    const { x, y } = fixedBatch([2, 1, 32, 32], 10, 5);
    plainLoop(model, x, y, 2, () => {});
    const best = model.stateDict();
    const bestBytes = bytesOf(Object.values(best));
    plainLoop(model, x, y, 5, () => {});
    model.loadStateDict(best);
    expect(bytesOf(model.parameters().concat(model.buffers()))).toEqual(bestBytes);
    for (const t of Object.values(best)) t.dispose();
  });
});

describe('what the rules release', () => {
  it('a tensor kept in an array across steps throws a SimdnnError saying when and why; sn.keep keeps it', () => {
    const model = new TinyNet();
    const { x, y } = fixedBatch([4, 1, 8, 8], 10, 5);
    const outs: Tensor[] = [];
    const kept: Tensor[] = [];
    plainLoop(model, x, y, 5, (step, out) => {
      outs.push(out);
      if (step === 1) kept.push(sn.keep(out));
    });
    expect(() => F.relu(outs[1])).toThrow(sn.SimdnnError);
    expect(() => F.relu(outs[1])).toThrow(
      /^relu: the tensor was released at step boundary \d+ \(optimizer\.zeroGrad\): it was made in step \d+ and last used in step \d+; .*sn\.keep\(t\).*toFloat32Array\(\)\/item\(\)/);
    expect(outs[4].toFloat32Array()).toHaveLength(40); // the last step's is still valid
    expect(kept[0].toFloat32Array()).toHaveLength(40);
  });

  it('a running value (total = total + loss) stays valid and flat', () => {
    const model = new TinyNet();
    const { x, y } = fixedBatch([4, 1, 8, 8], 10, 6);
    let total: Tensor = sn.zeros([]);
    const [a, b] = memoryAt(20, 120, (probe) => plainLoop(model, x, y, 120, (step, _o, loss) => {
      total = F.add(total, loss.detach());
      probe(step);
    }));
    expect(b).toEqual(a);
    expect(Number.isFinite(total.item())).toBe(true);
  });

  it('an activation a user module stores on itself is freed when forward returns (noGrad) or by backward()', () => {
    class Stashing extends TinyNet {
      hidden: Tensor | null = null;
      override forward(x: Tensor): Tensor {
        this.hidden = F.relu(F.conv2d(x, this.w1, this.b1, { padding: 1 }));
        return F.linear(F.flatten(F.maxPool2d(this.hidden, { kernelSize: 2 }), 1), this.w2);
      }
    }
    const m = new Stashing();
    const { x, y } = fixedBatch([4, 1, 8, 8], 10, 7);
    sn.noGrad(() => m.forward(x));
    expect(() => m.hidden!.toFloat32Array()).toThrow(/^toFloat32Array: the tensor was freed when Stashing\.forward returned \(an activation the module did not return\)/);
    const loss = F.crossEntropy(m.forward(x), y);
    expect(m.hidden!.toFloat32Array()).toHaveLength(4 * 8 * 64); // the graph still needs it
    loss.backward();
    expect(() => m.hidden!.toFloat32Array()).toThrow(/freed by backward\(\) \(an activation of Stashing\.forward/);
    expect(m.w1.grad).not.toBeNull();
  });

  it('tensors a forward hook is handed are not freed with the activations; kept ones live on', () => {
    const model = sn.models.lenet5({ seed: 2 });
    const seen: Tensor[] = [];
    model.conv2.registerForwardHook((_m, _in, out) => seen.push(sn.keep(out as Tensor)));
    const { x, y } = fixedBatch([2, 1, 32, 32], 10, 8);
    plainLoop(model, x, y, 6, () => {});
    model.eval();
    for (let i = 0; i < 3; i++) sn.noGrad(() => model.forward(x).toFloat32Array());
    expect(seen).toHaveLength(9);
    for (const t of seen) expect(t.toFloat32Array()).toHaveLength(2 * 16 * 10 * 10);
  });

  it('backendInfo reports live tensors and bytes', () => {
    const before = sn.backendInfo();
    const t = sn.zeros([1000]);
    const v = t.reshape([10, 100]); // a view shares the block
    const mid = sn.backendInfo();
    expect(mid.liveTensors - before.liveTensors).toBe(1);
    expect(mid.liveBytes - before.liveBytes).toBe(4000);
    t.dispose();
    v.dispose();
    const after = sn.backendInfo();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.liveBytes).toBe(before.liveBytes);
  });
});

describe('inference loops are flat', () => {
  for (const [name, make, shape] of [
    ['LeNet-5', () => sn.models.lenet5({ seed: 1 }), [4, 1, 32, 32]],
    ['a user-written module', () => new TinyNet(), [4, 1, 8, 8]],
    ['ResNet-18 (32x32)', () => sn.models.resnet18({ numClasses: 10, seed: 1 }), [2, 3, 32, 32]],
  ] as [string, () => sn.nn.Module, number[]][]) {
    it(`${name}: model.eval(), sn.noGrad per iteration, toFloat32Array — sync and with await`, async () => {
      const model = make().eval();
      const { x } = fixedBatch(shape, 10, 9);
      const iterate = () => sn.noGrad(() => model.forward(x)).toFloat32Array();
      const [a, b] = memoryAt(5, 40, (probe) => {
        for (let i = 1; i <= 40; i++) (iterate(), probe(i));
      });
      expect(b).toEqual(a);
      const seen: ReturnType<typeof sn.backendInfo>[] = [];
      for (let i = 1; i <= 40; i++) {
        iterate();
        await new Promise((r) => setImmediate(r));
        if (i === 5 || i === 40) seen.push(sn.backendInfo());
      }
      // With awaits the garbage collector's safety net may free earlier tests' dropped
      // models meanwhile, so live memory can only fall; any growth fails.
      expect(seen[1].memoryBytes).toBe(seen[0].memoryBytes);
      expect(seen[1].liveBytes).toBeLessThanOrEqual(seen[0].liveBytes);
      expect(seen[1].liveTensors).toBeLessThanOrEqual(seen[0].liveTensors);
    });
  }
});
