import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { graphFallbackReason, graphPlanOf } from '../../src/graph/module-graph.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor.js';
import { backend } from '../../src/runtime/backend.js';
import { bitsEqual } from '../helpers.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { choosePath } from '../../src/ops/conv2d/choose-path.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { derivedWeightBytes } from '../../src/ops/conv2d/weight-cache.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** The no-grad (graph) output and the grad-mode (eager, unfused) output of the same call, as bits. */
function graphAndEager(m: Module, x: Tensor): { graph: Float32Array; eager: Float32Array } {
  const graph = sn.tidy(() => sn.noGrad(() => m.forward(x) as Tensor).toFloat32Array());
  const eager = sn.tidy(() => (m.forward(x) as Tensor).toFloat32Array());
  return { graph, eager };
}

/** Non-trivial batch-norm statistics, so that folding them matters. */
function randomizeBatchNorms(m: Module, seed: number): void {
  let s = seed;
  for (const bn of m.modules()) {
    if (!(bn instanceof sn.nn.BatchNorm2d)) continue;
    bn.runningMean.view().set(sn.randn([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v * 0.3));
    bn.runningVar.view().set(sn.rand([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v + 0.5));
  }
}

describe('the no-grad graph executor', () => {
  it('fuses a BasicBlock as torchvision writes it: conv+BN+ReLU, and conv+BN+add+ReLU, in one pass each', () => {
    const block = new sn.nn.BasicBlock(8, 16, 2);
    block.eval();
    const x = sn.keep(sn.randn([1, 8, 8, 8], { seed: 1 }));
    sn.tidy(() => { sn.noGrad(() => block.forward(x)); }); // traces
    const plan = graphPlanOf(block, [[1, 8, 8, 8]])!;
    expect(plan).not.toBeNull();
    const kinds = plan.steps.map((s) => (s.kind === 'conv' ? `conv${s.bn ? '+bn' : ''}${s.residual !== null ? '+add' : ''}${s.relu ? '+relu' : ''}` : s.kind));
    expect(kinds).toEqual(['conv+bn+relu', 'conv+bn', 'conv+bn+add+relu']); // the downsample's conv+BN runs before the fused tail reads it
    const { graph, eager } = graphAndEager(block, x);
    expect(bitsEqual(graph, eager)).toBe(true);
  });

  it('a BasicBlock whose convs take F(4x4,3x3) gets the batch norm, add and ReLU inside the output transform, same bits', () => {
    const block = new sn.nn.BasicBlock(32, 32, 1);
    block.eval();
    randomizeBatchNorms(block, 40);
    const x = sn.keep(sn.randn([2, 32, 28, 28], { seed: 3 }));
    const g = convGeometry('conv2d', x, block.conv1.weight, null, { padding: 1 });
    expect(choosePath(g)).toBe('winograd-f4x4-3x3');
    sn.tidy(() => { sn.noGrad(() => block.forward(x)); }); // traces
    const separatePass = vi.spyOn(kernels, 'affinePlanesInPlace');
    const { graph, eager } = graphAndEager(block, x);
    expect(separatePass).not.toHaveBeenCalled(); // both epilogues ran inside the F(4x4) output transform
    separatePass.mockRestore();
    expect(bitsEqual(graph, eager)).toBe(true);
  });

  it('runs a ReLU in place over an activation nothing else reads (after a Linear), not over the input', () => {
    const m = new sn.nn.Sequential(new sn.nn.ReLU(), new sn.nn.Linear(4, 4, { seed: 2 }), new sn.nn.ReLU(), new sn.nn.Linear(4, 2, { seed: 3 }));
    const x = sn.keep(sn.randn([3, 4], { seed: 4 }));
    const x0 = x.toFloat32Array();
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
    expect(graphPlanOf(m, [[3, 4]])!.steps.map((s) => s.kind)).toEqual(['op', 'op', 'reluInPlace', 'op']);
    const { graph, eager } = graphAndEager(m, x);
    expect(bitsEqual(graph, eager)).toBe(true);
    expect(bitsEqual(x.toFloat32Array(), x0)).toBe(true);
  });

  it('sees an optimizer step between two evaluations (weights and batch-norm statistics): no stale plan', () => {
    const m = sn.models.resnet18({ numClasses: 4, seed: 3 });
    randomizeBatchNorms(m, 10);
    const x = sn.keep(sn.randn([2, 3, 32, 32], { seed: 4 }));
    m.eval();
    const before = graphAndEager(m, x);
    expect(bitsEqual(before.graph, before.eager)).toBe(true);
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); }); // the cached plan runs
    m.train();
    const opt = new sn.optim.SGD(m.parameters(), { lr: 0.5 });
    sn.tidy(() => {
      const loss = sn.F.crossEntropy(m.forward(x) as Tensor, sn.tensor([0, 1], [2], { dtype: 'int32' }));
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
    m.eval();
    const after = graphAndEager(m, x);
    expect(bitsEqual(after.graph, before.graph)).toBe(false); // the step changed the model…
    expect(bitsEqual(after.graph, after.eager)).toBe(true); // …and the graph run sees it
    m.dispose();
  });

  it('re-traces when the module tree changes (a replaced head, a batch norm folded into its conv)', () => {
    const m = sn.models.resnet18({ numClasses: 4, seed: 5 });
    randomizeBatchNorms(m, 20);
    m.eval();
    const x = sn.keep(sn.randn([1, 3, 32, 32], { seed: 6 }));
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
    m.fc = new sn.nn.Linear(512, 3, { seed: 7 });
    const headed = graphAndEager(m, x);
    expect(headed.graph.length).toBe(3);
    expect(bitsEqual(headed.graph, headed.eager)).toBe(true);
    sn.nn.foldBatchNorm(m, [1, 3, 32, 32]);
    const folded = graphAndEager(m, x);
    expect(bitsEqual(folded.graph, folded.eager)).toBe(true);
    m.dispose();
  });

  it('runs eagerly what it cannot replay (a training-mode dropout), with the same results as before', () => {
    const m = new sn.nn.Sequential(new sn.nn.Linear(6, 6, { seed: 8 }), new sn.nn.ReLU(), new sn.nn.Dropout(0.5, { seed: 9 }));
    const x = sn.keep(sn.randn([3, 6], { seed: 10 }));
    const a = sn.tidy(() => sn.noGrad(() => m.forward(x)).toFloat32Array());
    expect(graphFallbackReason(m, [[3, 6]])).toMatch(/training-mode dropout/);
    const b = sn.tidy(() => sn.noGrad(() => m.forward(x)).toFloat32Array());
    expect(bitsEqual(a, b)).toBe(false); // a fresh mask each call, as eager dropout draws
    m.eval();
    const { graph, eager } = graphAndEager(m, x);
    expect(graphPlanOf(m, [[3, 6]])).not.toBeNull();
    expect(bitsEqual(graph, eager)).toBe(true);
  });

  it('leaves a user module eager, and still runs the library modules it calls as graphs', () => {
    class Head extends sn.nn.Module {
      body = new sn.nn.Sequential(new sn.nn.Conv2d(3, 4, 3, { seed: 11 }), new sn.nn.ReLU());
      forward(x: Tensor): Tensor {
        return sn.F.flatten(this.body.forward(x), 1);
      }
    }
    const h = new Head();
    const x = sn.keep(sn.randn([1, 3, 6, 6], { seed: 12 }));
    const { graph, eager } = graphAndEager(h, x);
    expect(bitsEqual(graph, eager)).toBe(true);
    expect(graphPlanOf(h, [[1, 3, 6, 6]])).toBeNull();
    expect(graphPlanOf(h.body, [[1, 3, 6, 6]])).not.toBeNull();
  });

  it('a hook anywhere in the tree makes the call eager, so the hook sees every layer', () => {
    const relu = new sn.nn.ReLU();
    const m = new sn.nn.Sequential(new sn.nn.Conv2d(2, 3, 1, { seed: 13 }), relu);
    const x = sn.keep(sn.randn([1, 2, 4, 4], { seed: 14 }));
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
    let calls = 0;
    const h = relu.registerForwardHook(() => { calls++; });
    sn.tidy(() => { sn.noGrad(() => m.forward(x)); });
    h.remove();
    expect(calls).toBe(1);
  });
});

describe('memory of the tracing call', () => {
  it('the first no-grad call of a shape (the one that traces) peaks near the planned calls, far below keeping every activation', () => {
    const heap = () => backend().heap;
    // Less the transformed filters the first no-grad call keeps for the next ones (weight-cache.ts, tested there).
    const peakOf = (fn: () => void): number => {
      const before = heap().stats().liveBytes;
      const kept = derivedWeightBytes().bytes;
      heap().resetPeak();
      fn();
      return heap().stats().peakBytes - before - (derivedWeightBytes().bytes - kept);
    };
    const m = sn.models.resnet18({ seed: 1 });
    m.eval();
    const x = sn.keep(sn.randn([1, 3, 64, 64], { seed: 2 }));
    const keepAll = peakOf(() => sn.tidy(() => { m.forward(x); }));
    const tracing = peakOf(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); }));
    const planned = peakOf(() => sn.tidy(() => { sn.noGrad(() => m.forward(x)); }));
    const activations = 4 * sn.summary(m, [1, 3, 64, 64]).totals.activations;
    expect(keepAll - tracing).toBeGreaterThan(0.6 * activations);
    expect(planned).toBeLessThanOrEqual(tracing);
    m.dispose();
  });
});

describe('graph coverage of the library layers', () => {
  it('a head swapped for nn.Identity, Tanh/Sigmoid/Softmax and BatchNorm1d still run as one graph, same bits', () => {
    const m = new sn.nn.Sequential(
      new sn.nn.Linear(5, 8, { seed: 1 }), new sn.nn.BatchNorm1d(8), new sn.nn.Tanh(), new sn.nn.Linear(8, 8, { seed: 2 }),
      new sn.nn.Sigmoid(), new sn.nn.Identity(), new sn.nn.Linear(8, 3, { seed: 3 }), new sn.nn.Softmax(1),
    );
    m.eval();
    const x = sn.keep(sn.randn([4, 5], { seed: 4 }));
    const { graph, eager } = graphAndEager(m, x);
    expect(graphPlanOf(m, [[4, 5]])).not.toBeNull();
    expect(bitsEqual(graph, eager)).toBe(true);
    const again = sn.tidy(() => sn.noGrad(() => m.forward(x)).toFloat32Array()); // the plan, not the trace
    expect(bitsEqual(again, eager)).toBe(true);
  });

  it('nn.Identity alone returns its input', () => {
    const id = new sn.nn.Identity();
    const x = sn.keep(sn.randn([2, 3], { seed: 5 }));
    sn.noGrad(() => id.forward(x));
    expect(sn.noGrad(() => id.forward(x))).toBe(x);
  });
});
