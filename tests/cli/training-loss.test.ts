// The loss `simdnn train` minimises: GoogLeNet's recipe adds its two auxiliary
// classifiers' cross-entropies weighted 0.3 (Szegedy et al. 2015 §5), in
// training mode only; checked against the loss computed by hand from the logits.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { RECIPES } from '../../src/cli/recipes.js';
import { trainingLoss, type TrainingOutput } from '../../src/cli/training-loss.js';
import { MODELS } from '../../src/cli/models.js';
import { randomArray } from '../helpers.js';

/** Mean cross-entropy of [N, C] logits, in float64. */
function crossEntropyByHand(logits: Float32Array, C: number, y: Int32Array): number {
  let sum = 0;
  for (let n = 0; n < y.length; n++) {
    const row = Array.from(logits.subarray(n * C, (n + 1) * C));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    sum += lse - row[y[n]];
  }
  return sum / y.length;
}

beforeAll(async () => {
  await sn.init({ threads: 1 });
});

describe('the training loss', () => {
  it("googlenet's recipe: main + 0.3·(aux1 + aux2) on a training step; evaluation has the logits alone", () => {
    expect(RECIPES.googlenet.auxWeight).toBe(0.3);
    for (const r of ['alexnet', 'vgg', 'resnet'] as const) expect(RECIPES[r].auxWeight).toBeUndefined();
    const model = MODELS.googlenet.build(5, 3, { auxLogits: true });
    const x = sn.tensor(randomArray(2 * 3 * 32 * 32, 7), [2, 3, 32, 32]);
    const y = Int32Array.from([1, 4]);
    model.train();
    const out = model.forward(x) as TrainingOutput;
    expect(out).not.toBeInstanceOf(sn.Tensor);
    const { loss, main, logits } = trainingLoss(out, y, RECIPES.googlenet.auxWeight!);
    const o = out as Exclude<TrainingOutput, sn.Tensor>;
    const [m, a1, a2] = [o.logits, o.aux1, o.aux2].map((t) => crossEntropyByHand(t.toFloat32Array(), 5, y));
    // The heads differ (else the test could not tell aux1 from aux2 or from the main loss).
    expect(new Set([m, a1, a2].map((v) => v.toFixed(4))).size).toBe(3);
    expect(loss.item()).toBeCloseTo(m + 0.3 * (a1 + a2), 5);
    expect(main.item()).toBeCloseTo(m, 5);
    expect(logits).toBe(o.logits);
    // The gradient reaches both auxiliary heads.
    model.zeroGrad();
    loss.backward();
    for (const head of ['aux1.fc2.weight', 'aux2.fc2.weight']) {
      const g = model.namedParameters().find(([k]) => k === head)![1].grad!.toFloat32Array();
      expect(g.some((v) => v !== 0), head).toBe(true);
    }
    model.eval();
    const evalOut = sn.noGrad(() => model.forward(x)) as TrainingOutput;
    expect(evalOut).toBeInstanceOf(sn.Tensor);
    const plain = trainingLoss(evalOut, y, 0.3);
    expect(plain.loss).toBe(plain.main);
    expect(plain.loss.item()).toBeCloseTo(crossEntropyByHand((evalOut as sn.Tensor).toFloat32Array(), 5, y), 5);
    model.dispose();
  }, 60_000);
});
