// GoogLeNet's auxiliary classifiers and AlexNet's 'original' dropout order and paper init (issue 12).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import type { GoogLeNetOutputs } from '../../src/models/googlenet.js';

beforeAll(async () => {
  await sn.init({ threads: 2 });
});
afterAll(() => sn.shutdown());

const fx = JSON.parse(readFileSync(new URL('../fixtures/losses_w2.json', import.meta.url), 'utf8')).googlenetAux;
const count = (m: sn.nn.Module) => m.parameters().reduce((s, p) => s + p.size, 0);

describe('googlenet({ auxLogits: true })', () => {
  it('torchvision: 13,004,888 parameters; state_dict names, shapes and order equal torchvision', () => {
    const m = sn.models.googlenet({ auxLogits: true, seed: 1 });
    expect(count(m)).toBe(fx.params1000);
    expect(fx.params1000).toBe(13_004_888);
    m.dispose();
    const m10 = sn.models.googlenet({ auxLogits: true, numClasses: 10, seed: 1 });
    expect(m10.namedStates().map(([n, t]) => [n, t.shape])).toEqual(fx.stateDict10);
    m10.dispose();
  });

  it('train(): { logits, aux1, aux2 } with torchvision\'s shapes, and the weighted loss trains; eval(): the logits', () => {
    const m = sn.models.googlenet({ auxLogits: true, numClasses: 10, seed: 2 });
    const x = sn.randn([2, 3, 224, 224], { seed: 3 });
    sn.tidy(() => {
      const out = m.forward(x) as GoogLeNetOutputs;
      expect(out.logits.shape).toEqual(fx.trainShapes10.logits);
      expect(out.aux1.shape).toEqual(fx.trainShapes10.aux1);
      expect(out.aux2.shape).toEqual(fx.trainShapes10.aux2);
      const y = [1, 7];
      // docs/zoo.md's weighted loss: main + 0.3·(aux1 + aux2), the trunk graph kept until the last backward.
      const main = sn.F.crossEntropy(out.logits, y);
      const l1 = sn.F.crossEntropy(out.aux1, y);
      const l2 = sn.F.crossEntropy(out.aux2, y);
      expect(Number.isFinite(main.item() + 0.3 * (l1.item() + l2.item()))).toBe(true);
      l2.backward(sn.full([], 0.3), { retainGraph: true });
      const aux2Grad = m.namedParameters().filter(([n, p]) => n.startsWith('aux2.') && p.grad !== null).length;
      expect(aux2Grad).toBe(7); // every aux2 parameter: conv weight, bn (2), fc1 (2), fc2 (2)
      expect(m.namedParameters().filter(([n, p]) => n.startsWith('aux1.') && p.grad !== null).length).toBe(0);
      const conv1 = m.namedParameters().find(([n]) => n === 'conv1.conv.weight')![1];
      const fromAux2 = conv1.grad!.toFloat32Array();
      l1.backward(sn.full([], 0.3), { retainGraph: true });
      main.backward();
      expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
      expect(conv1.grad!.toFloat32Array()).not.toEqual(fromAux2); // the three terms summed into the trunk
    });
    m.eval();
    const logits = sn.noGrad(() => m.forward(x)) as sn.Tensor;
    expect(logits.shape).toEqual([2, 10]);
    m.dispose();
  });

  it("'original': the paper's heads (5x5/3 average pool, 1x1 conv 128 with bias, FC 1024, dropout 0.7, FC)", () => {
    const m = sn.models.googlenet({ variant: 'original', auxLogits: true, numClasses: 10, seed: 4 });
    const aux = m.namedParameters().filter(([n]) => n.startsWith('aux1.')).map(([n, p]) => `${n}:${p.shape}`);
    expect(aux).toEqual(['aux1.conv.conv.weight:128,512,1,1', 'aux1.conv.conv.bias:128', 'aux1.fc1.weight:1024,2048', 'aux1.fc1.bias:1024', 'aux1.fc2.weight:10,1024', 'aux1.fc2.bias:10']);
    expect(m.aux1!.pool).toBeInstanceOf(sn.nn.AvgPool2d);
    expect((m.aux2!.dropout as sn.nn.Dropout).p).toBe(0.7);
    const out = sn.tidy(() => {
      const o = m.forward(sn.randn([1, 3, 224, 224], { seed: 5 })) as GoogLeNetOutputs;
      return [o.logits.shape, o.aux1.shape, o.aux2.shape];
    });
    expect(out).toEqual([[1, 10], [1, 10], [1, 10]]);
    m.dispose();
    expect(() => sn.models.googlenet({ auxLogits: 1 as never })).toThrow(/googlenet: auxLogits must be true or false/);
  });
});

describe("alexnet 'original' dropout order and { init: 'paper' }", () => {
  it('drops out the outputs of FC6 and FC7; torchvision keeps its order', () => {
    const types = (m: sn.nn.Module) => m.namedChildren().find(([n]) => n === 'classifier')![1].namedChildren().map(([, c]) => c.typeName);
    const o = sn.models.alexnet({ variant: 'original', numClasses: 10, seed: 1 });
    expect(types(o)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']);
    const t = sn.models.alexnet({ numClasses: 10, seed: 1 });
    expect(types(t)).toEqual(['Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Linear']);
    o.dispose();
    t.dispose();
  });
  it("init 'paper': N(0, 0.01) weights, bias 1 on conv2/4/5 and FC6/7, 0 elsewhere", () => {
    const m = sn.models.alexnet({ variant: 'original', init: 'paper', numClasses: 10, seed: 1 });
    const biases = m.namedParameters().filter(([n]) => n.endsWith('.bias')).map(([n, p]) => [n, [...new Set(p.toFloat32Array())]]);
    expect(biases).toEqual([
      ['features.0.bias', [0]], ['features.4.bias', [1]], ['features.8.bias', [0]], ['features.10.bias', [1]], ['features.12.bias', [1]],
      ['classifier.0.bias', [1]], ['classifier.3.bias', [1]], ['classifier.6.bias', [0]],
    ]);
    const w = m.namedParameters().find(([n]) => n === 'classifier.0.weight')![1].toFloat32Array();
    let s = 0, s2 = 0;
    for (const v of w) (s += v), (s2 += v * v);
    expect(Math.abs(s / w.length)).toBeLessThan(1e-4);
    expect(Math.sqrt(s2 / w.length)).toBeCloseTo(0.01, 4);
    m.dispose();
    expect(() => sn.models.alexnet({ init: 'xavier' as never })).toThrow(/alexnet: init must be 'default' or 'paper'/);
  });
});
