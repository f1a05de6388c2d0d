// saveOnnx: a traced forward written as ONNX. onnxruntime-web runs the file and
// gives our logits; initializer names are the stateDict keys; a loaded graph
// exports back to itself (import -> export -> import, the same bits).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { loadOnnx, saveOnnx } from '../../src/onnx/index.js';
import { onnx } from '../../src/onnx/proto.js';
import { maxRelErr, randomArray } from '../helpers.js';
import { ortRun } from './ort.js';

const { nn } = sn;
beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** Randomises batch-norm statistics so that evaluation mode is really exercised. */
function randomStats(m: sn.nn.Module): void {
  let seed = 1;
  for (const [k, t] of m.namedStates()) {
    if (!/running_(mean|var)$/.test(k)) continue;
    const v = randomArray(t.size, seed++);
    m.loadStateDict({ [k]: sn.tensor(Float32Array.from(v, (x) => (k.endsWith('var') ? 1 + 0.5 * x : 0.3 * x)), t.shape.slice()) }, { strict: false });
  }
}

async function sameAsOrt(model: sn.nn.Module, shape: number[], opset?: number): Promise<Uint8Array> {
  const bytes = saveOnnx(model, { inputShape: shape, opset });
  const data = Float32Array.from(randomArray(shape.reduce((a, b) => a * b, 1), 21));
  model.eval();
  const ours = sn.noGrad(() => model.forward(sn.tensor(data, shape)) as sn.Tensor);
  const [ref] = await ortRun(bytes, { input: { data, dims: shape } });
  expect(ref.dims).toEqual(ours.shape);
  const scale = ref.data.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  expect(maxRelErr(ours.toFloat32Array(), ref.data, 1e-4 * scale, 1e-4)).toBeLessThanOrEqual(1);
  return bytes;
}

class SmallResNet extends nn.Module {
  stem = this.registerModule('stem', new nn.Conv2d(3, 8, 3, { padding: 1, bias: false }));
  bn = this.registerModule('bn', new nn.BatchNorm2d(8));
  layer = this.registerModule('layer', new nn.BasicBlock(8, 16, 2));
  pool = this.registerModule('pool', new nn.AdaptiveAvgPool2d(1));
  fc = this.registerModule('fc', new nn.Linear(16, 5));
  forward(x: sn.Tensor): sn.Tensor {
    const y = this.pool.forward(this.layer.forward(sn.F.relu(this.bn.forward(this.stem.forward(x)))));
    return sn.F.logSoftmax(this.fc.forward(sn.F.flatten(y)), 1);
  }
}

describe('saveOnnx', () => {
  it('LeNet-5 runs in onnxruntime-web with the same logits; initializer names are the stateDict keys', async () => {
    const m = sn.models.lenet5({ seed: 3 });
    const bytes = await sameAsOrt(m, [2, 1, 32, 32]);
    const model = onnx.ModelProto.decode(bytes);
    expect(model.graph!.initializer!.map((t) => t.name).filter((n) => !n!.includes('_shape_')).sort()).toEqual(Object.keys(m.stateDict()).sort());
  });

  it('the exported batch dim is symbolic: traced at batch 1, the file runs at batch 3', async () => {
    const m = sn.models.lenet5({ seed: 5 });
    const bytes = saveOnnx(m, { inputShape: [1, 1, 32, 32] });
    const data = Float32Array.from(randomArray(3 * 32 * 32, 8));
    m.eval();
    const ours = sn.noGrad(() => m.forward(sn.tensor(data, [3, 1, 32, 32])) as sn.Tensor);
    const [ref] = await ortRun(bytes, { input: { data, dims: [3, 1, 32, 32] } });
    expect(ref.dims).toEqual([3, 10]);
    expect(maxRelErr(ours.toFloat32Array(), ref.data, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
    const back = loadOnnx(bytes);
    back.eval();
    expect((back.forward(sn.tensor(data, [3, 1, 32, 32])) as sn.Tensor).shape).toEqual([3, 10]);
  });

  it('a small ResNet (BasicBlock with downsample, batch norms in eval) at opsets 11 and 13', async () => {
    const m = new SmallResNet();
    randomStats(m);
    await sameAsOrt(m, [2, 3, 12, 12], 13);
    await sameAsOrt(m, [1, 3, 12, 12], 11);
  });

  it('import -> export -> import gives the same graph and the same bits', async () => {
    for (const name of ['basic_block-op13', 'inverted_residual-op11', 'classifier-op13', 'inception-op11']) {
      const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/onnx/${name}.onnx`, import.meta.url)));
      const a = loadOnnx(bytes);
      const shape = name.startsWith('inception') ? [2, 4, 6, 6] : name.startsWith('classifier') ? [2, 3, 7, 7] : [2, 3, 8, 8];
      const again = await sameAsOrt(a, shape);
      const b = loadOnnx(again);
      expect(Object.keys(b.stateDict()).sort()).toEqual(Object.keys(a.stateDict()).sort());
      expect(b.nodes.map((n) => n.opType)).toEqual(a.nodes.map((n) => n.opType));
      a.eval();
      b.eval();
      const x = sn.tensor(randomArray(shape.reduce((p, q) => p * q, 1), 5), shape);
      const ya = (a.forward(x) as sn.Tensor).toFloat32Array();
      const yb = (b.forward(x) as sn.Tensor).toFloat32Array();
      expect(Array.from(yb)).toEqual(Array.from(ya));
    }
  });

  it('a loaded graph cut as a feature extractor, with a new head, exports as one graph', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../fixtures/onnx/basic_block-op13.onnx', import.meta.url)));
    const probe = loadOnnx(bytes);
    const flat = probe.nodes.find((n) => n.opType === 'Flatten')!.outputs[0];
    class Tuned extends nn.Module {
      body = this.registerModule('body', loadOnnx(bytes, { outputs: [flat] }));
      head = this.registerModule('head', new nn.Linear(8, 3));
      forward(x: sn.Tensor): sn.Tensor {
        return this.head.forward(this.body.forward(x) as sn.Tensor);
      }
    }
    const m = new Tuned();
    const out = await sameAsOrt(m, [2, 3, 8, 8]);
    const names = onnx.ModelProto.decode(out).graph!.initializer!.map((t) => t.name);
    expect(names).toContain('body.layer.conv1.weight');
    expect(names).toContain('head.weight');
  });

  it('a user module with sub/mul/div of two tensors and with numbers, permute and transpose runs in onnxruntime-web', async () => {
    class Arith extends nn.Module {
      conv = this.registerModule('conv', new nn.Conv2d(2, 4, 3, { padding: 1 }));
      scale = this.registerParameter('scale', sn.tensor([0.5, 2, -1, 1.5], [1, 4, 1, 1]))!;
      forward(x: sn.Tensor): sn.Tensor {
        const a = this.conv.forward(x);
        const b = sn.F.relu(a);
        const c = sn.div(sn.sub(sn.mul(a, this.scale), b), sn.add(sn.mul(b, b), 1)); // tensor-tensor and tensor-number
        const d = sn.sub(2, sn.div(c, 4)); // a number first
        const nhwc = sn.permute(d, [0, 2, 3, 1]);
        return sn.transpose(nhwc, 1, 2).mul(sn.permute(nhwc, [0, 2, 1, 3]));
      }
    }
    const m = new Arith();
    const bytes = await sameAsOrt(m, [2, 2, 5, 3]);
    const nodes = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
    for (const t of ['Sub', 'Mul', 'Div', 'Add', 'Transpose']) expect(nodes).toContain(t);
    const inits = onnx.ModelProto.decode(bytes).graph!.initializer!;
    expect(inits.filter((t) => t.name!.startsWith('constant_'))).toEqual([]); // nothing traced was baked as a constant
    expect(inits.map((t) => t.name)).toContain('scale');
  });

  it('bad arguments and what cannot be exported', () => {
    const m = sn.models.lenet5();
    expect(() => saveOnnx(m, { inputShape: [1, 1, 32] as number[], opset: 13 })).toThrow(sn.SimdnnError);
    expect(() => saveOnnx(m, { inputShape: [0, 1, 32, 32] })).toThrow(/inputShape must be an array of positive sizes/);
    expect(() => saveOnnx(m, { inputShape: [1, 1, 32, 32], opset: 9 })).toThrow(/opset must be an integer from 11 to 17/);
    expect(() => saveOnnx({} as sn.nn.Module, { inputShape: [1] })).toThrow(/must be an nn.Module/);
    class Custom extends nn.Module {
      forward(x: sn.Tensor): sn.Tensor {
        return sn.F.adaptiveAvgPool2d(x, 3);
      }
    }
    expect(() => saveOnnx(new Custom(), { inputShape: [1, 1, 7, 7] })).toThrow(/output 3x3 does not divide input 7x7/);
  });
});
