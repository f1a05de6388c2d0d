// ONNX files exported by torch.onnx from tiny models built with torchvision's own
// blocks (scripts/fixtures/onnx_blocks.py), at opsets 11 and 13: outputs, one
// training step's gradients and running statistics against PyTorch's.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { loadOnnx } from '../../src/onnx/index.js';
import type { Tensor } from '../../src/tensor.js';
import { maxRelErr } from '../helpers.js';

interface Arr { shape: number[]; data: number[] }
interface Case { input: Arr; output: Arr; trainOutput: Arr; gy: Arr; grads: Record<string, Arr>; runningAfter: Record<string, Arr> }
const cases: Record<string, Case> = JSON.parse(readFileSync(new URL('../fixtures/onnx/blocks.json', import.meta.url), 'utf8'));
export const onnxFile = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/onnx/${name}.onnx`, import.meta.url)));
const t = (a: Arr) => sn.tensor(Float32Array.from(a.data), a.shape);

/** Within `rel` relative to the reference's scale. */
function expectClose(ours: Tensor, ref: Arr, rel = 1e-4): void {
  expect(ours.shape).toEqual(ref.shape);
  const scale = ref.data.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  expect(maxRelErr(ours.toFloat32Array(), ref.data, rel * scale, rel)).toBeLessThanOrEqual(1);
}

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe.each(Object.keys(cases))('%s', (name) => {
  const c = cases[name];
  it.each([11, 13])('opset %i: eval output equals PyTorch within 1e-4', (opset) => {
    const m = loadOnnx(onnxFile(`${name}-op${opset}`));
    m.eval();
    expectClose(sn.noGrad(() => m.forward(t(c.input)) as Tensor), c.output);
    // With gradients recorded too (no activation freed early), the same values.
    expectClose(m.forward(t(c.input)) as Tensor, c.output);
  });

  it.each([11, 13])('opset %i: parameters under their PyTorch names; one training step gives PyTorch\'s gradients and running statistics', (opset) => {
    const m = loadOnnx(onnxFile(`${name}-op${opset}`));
    expect(m.namedParameters().map(([k]) => k).sort()).toEqual(Object.keys(c.grads).sort());
    // The fixture's step: batch norms in training mode, dropout off. Our models with Dropout have no batch
    // norm, so for them that step is eval mode; the others train.
    const hasDropout = m.nodes.some((n) => n.opType === 'Dropout');
    m.train(!hasDropout);
    const y = m.forward(t(c.input)) as Tensor;
    expectClose(y, c.trainOutput);
    y.backward(t(c.gy));
    for (const [k, p] of m.namedParameters()) expectClose(p.grad!, c.grads[k], 1e-3);
    for (const [k, v] of Object.entries(c.runningAfter)) expectClose(m.stateDict()[k], v);
  });
});

describe('fine-tuning controls', () => {
  it('freezing by name: frozen parameters get no gradient, the rest PyTorch\'s', () => {
    const c = cases.basic_block;
    const m = loadOnnx(onnxFile('basic_block-op13'));
    for (const [k, p] of m.namedParameters()) if (k.startsWith('layer.')) p.requiresGrad = false;
    m.train();
    const y = m.forward(t(c.input)) as Tensor;
    y.backward(t(c.gy));
    for (const [k, p] of m.namedParameters()) {
      if (k.startsWith('layer.')) expect(p.grad).toBeNull();
      else expectClose(p.grad!, c.grads[k], 1e-3);
    }
  });

  it('outputs cuts the graph at a named value (a feature extractor), equal to that value inside the full graph', () => {
    const c = cases.basic_block;
    const full = loadOnnx(onnxFile('basic_block-op13'));
    const pool = full.nodes.find((n) => n.opType === 'GlobalAveragePool')!;
    const cutName = pool.inputs[0];
    const cut = loadOnnx(onnxFile('basic_block-op13'), { outputs: [cutName] });
    expect(cut.namedParameters().map(([k]) => k).every((k) => k.startsWith('layer.'))).toBe(true);
    expect(cut.nodes.some((n) => n.opType === 'Gemm')).toBe(false);
    const both = loadOnnx(onnxFile('basic_block-op13'), { outputs: [cutName, 'output'] });
    cut.eval();
    both.eval();
    const x = t(c.input);
    const features = cut.forward(x) as Tensor;
    const [f2, logits] = both.forward(x) as Tensor[];
    expect(features.shape).toEqual([2, 8, 4, 4]);
    expect(Array.from(features.toFloat32Array())).toEqual(Array.from(f2.toFloat32Array()));
    expectClose(logits, c.output);
  });

  it('a new head on the cut graph trains end to end', () => {
    const c = cases.basic_block;
    const body = loadOnnx(onnxFile('basic_block-op13'), { outputs: [loadOnnx(onnxFile('basic_block-op13')).nodes.find((n) => n.opType === 'Flatten')!.outputs[0]] });
    const head = new sn.nn.Linear(8, 3);
    const opt = new sn.optim.SGD([...body.parameters(), ...head.parameters()], { lr: 0.1 });
    const labels = new Int32Array([0, 2]);
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      sn.tidy(() => {
        opt.zeroGrad();
        const loss = sn.F.crossEntropy(head.forward(body.forward(t(c.input)) as Tensor), labels);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    expect(losses[2]).toBeLessThan(losses[0]);
  });
});

describe('thread count', () => {
  it('an imported model\'s outputs and gradients are the same bits on 1 and 2 threads', async () => {
    const run = () => {
      const m = loadOnnx(onnxFile('inverted_residual-op13'));
      m.train();
      const x = sn.tensor(Float32Array.from({ length: 4 * 3 * 48 * 48 }, (_, i) => Math.sin(i * 0.37)), [4, 3, 48, 48]);
      const y = m.forward(x) as Tensor;
      y.backward(sn.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.cos(i * 0.11)), y.shape.slice()));
      return [y.toFloat32Array(), ...m.parameters().map((p) => p.grad!.toFloat32Array())];
    };
    const one = run();
    sn.shutdown();
    await sn.init({ threads: 2 });
    const two = run();
    two.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(one[i])));
  });
});
