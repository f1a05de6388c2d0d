// Single ops and their opset-dependent semantics against onnxruntime-web running
// the same model file: attributes vs inputs (Clip, Unsqueeze, Squeeze), axis rules
// (Softmax before/after opset 13), asymmetric and automatic pads, Gemm's options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { loadOnnx } from '../../src/onnx/index.js';
import { maxRelErr, randomArray } from '../helpers.js';
import { buildModel, floatTensor, int64Tensor, type NodeSpec } from './make-model.js';
import { ortRun } from './ort.js';
import type { ITensorProto } from '../../src/onnx/proto.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

interface Case { name: string; opset: number; nodes: NodeSpec[]; x: number[]; init?: ITensorProto[]; grad?: boolean }
const w33 = floatTensor('w', [4, 2, 3, 3], randomArray(72, 3));
const dw = floatTensor('w', [2, 1, 3, 3], randomArray(18, 4));
const b4 = floatTensor('b', [4], randomArray(4, 5));
const cases: Case[] = [
  { name: 'Conv asymmetric pads, stride 2, dilation', opset: 13, x: [2, 2, 7, 6], init: [w33, b4], nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2] } }] },
  { name: 'Conv auto_pad SAME_UPPER stride 2', opset: 11, x: [1, 2, 7, 6], init: [w33], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } }] },
  { name: 'Conv auto_pad SAME_LOWER', opset: 11, x: [1, 2, 6, 6], init: [w33], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] } }] },
  { name: 'Conv depthwise (groups = channels)', opset: 13, x: [2, 2, 5, 5], init: [dw], nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2, pads: [1, 1, 1, 1] } }] },
  { name: 'MaxPool asymmetric pads, ceil_mode', opset: 11, x: [1, 2, 7, 7], nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 } }] },
  { name: 'AveragePool count_include_pad 0 / 1', opset: 11, x: [1, 2, 6, 6], nodes: [
    { op: 'AveragePool', inputs: ['x'], outputs: ['a'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 } },
    { op: 'AveragePool', inputs: ['x'], outputs: ['b'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
    { op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: 1 } }] },
  { name: 'GlobalMaxPool, GlobalAveragePool, LRN', opset: 13, x: [1, 4, 3, 3], nodes: [
    { op: 'LRN', inputs: ['x'], outputs: ['l'], attrs: { size: 3, alpha: 0.001, beta: 0.75, bias: { f: 2 } } },
    { op: 'GlobalMaxPool', inputs: ['l'], outputs: ['a'] }, { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['b'] },
    { op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }] },
  { name: 'Softmax opset 11 (2-D coercion at axis 1)', opset: 11, x: [2, 3, 2], nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }] },
  { name: 'LogSoftmax opset 13 (one axis, default -1)', opset: 13, x: [2, 3, 2], nodes: [{ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'] }] },
  { name: 'Softmax opset 13 axis 1', opset: 13, x: [2, 3, 2], nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }] },
  { name: 'Clip as attributes (opset 9)', opset: 9, x: [2, 8], nodes: [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attrs: { min: -0.3, max: 0.5 } }] },
  { name: 'Clip as inputs (opset 13), ReLU6', opset: 13, x: [2, 8], init: [floatTensor('lo', [], [0]), floatTensor('hi', [], [0.4])], nodes: [{ op: 'Clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'] }] },
  { name: 'LeakyRelu, HardSigmoid, Sigmoid, Tanh, Mul, Sub, Div', opset: 13, x: [2, 6], nodes: [
    { op: 'LeakyRelu', inputs: ['x'], outputs: ['a'], attrs: { alpha: 0.2 } }, { op: 'HardSigmoid', inputs: ['x'], outputs: ['b'] },
    { op: 'Sigmoid', inputs: ['a'], outputs: ['c'] }, { op: 'Tanh', inputs: ['b'], outputs: ['d'] }, { op: 'Mul', inputs: ['c', 'd'], outputs: ['e'] },
    { op: 'Sub', inputs: ['e', 'x'], outputs: ['f'] }, { op: 'Div', inputs: ['f', 'c'], outputs: ['y'] }] },
  { name: 'HardSwish (opset 14)', opset: 14, x: [2, 8], nodes: [{ op: 'HardSwish', inputs: ['x'], outputs: ['y'] }] },
  { name: 'Gemm transA, alpha, beta, broadcast C', opset: 13, x: [3, 2], init: [floatTensor('B', [3, 4], randomArray(12, 7)), floatTensor('C', [1, 4], randomArray(4, 8))],
    nodes: [{ op: 'Gemm', inputs: ['x', 'B', 'C'], outputs: ['y'], attrs: { transA: 1, alpha: 0.5, beta: { f: 2 } } }] },
  { name: 'MatMul 3-D by 2-D, broadcast Add of a per-channel constant', opset: 13, x: [2, 3, 4], init: [floatTensor('B', [4, 5], randomArray(20, 9)), floatTensor('c', [3, 1], [1, 2, 3])],
    nodes: [{ op: 'MatMul', inputs: ['x', 'B'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'c'], outputs: ['y'] }] },
  { name: 'Transpose, Pad (opset 11 pads input), ReduceMean', opset: 11, x: [1, 2, 3, 4], init: [int64Tensor('p', [8], [0, 1, 1, 0, 0, 0, 2, 1])], nodes: [
    { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } }, { op: 'Pad', inputs: ['t', 'p'], outputs: ['q'] },
    { op: 'ReduceMean', inputs: ['q'], outputs: ['y'], attrs: { axes: [1, 3], keepdims: 1 } }] },
  { name: 'Pad with negative pads (crops), Pow by a broadcast exponent, ReduceMean over all dims', opset: 13, x: [1, 2, 4, 5],
    init: [int64Tensor('p', [8], [0, 0, -1, 2, 0, 0, 1, -3]), floatTensor('e', [1, 1, 1, 1], [2]), floatTensor('e3', [1, 2, 1, 1], [3, 1])], nodes: [
      { op: 'Pad', inputs: ['x', 'p'], outputs: ['q'] }, { op: 'Pow', inputs: ['q', 'e'], outputs: ['r'] }, { op: 'Pow', inputs: ['q', 'e3'], outputs: ['s'] },
      { op: 'Add', inputs: ['r', 's'], outputs: ['t'] }, { op: 'ReduceMean', inputs: ['t'], outputs: ['m'], attrs: { keepdims: 0 } },
      { op: 'Sub', inputs: ['t', 'm'], outputs: ['y'] }] },
  { name: 'Pad opset 9 (attributes), Squeeze/Unsqueeze axes attributes', opset: 9, x: [1, 2, 1, 3], nodes: [
    { op: 'Pad', inputs: ['x'], outputs: ['p'], attrs: { pads: [0, 0, 0, 1, 0, 0, 0, 1], value: 0.5 } }, { op: 'Squeeze', inputs: ['p'], outputs: ['s'], attrs: { axes: [0, 2] } },
    { op: 'Unsqueeze', inputs: ['s'], outputs: ['y'], attrs: { axes: [1] } }] },
  { name: 'Squeeze/Unsqueeze axes inputs (opset 13), Flatten axis 2', opset: 13, x: [1, 2, 1, 3], init: [int64Tensor('a0', [1], [2]), int64Tensor('a1', [2], [0, -1])], nodes: [
    { op: 'Squeeze', inputs: ['x', 'a0'], outputs: ['s'] }, { op: 'Unsqueeze', inputs: ['s', 'a1'], outputs: ['u'] }, { op: 'Flatten', inputs: ['u'], outputs: ['y'], attrs: { axis: 2 } }] },
  { name: 'the flatten shape subgraph (Shape, Gather, Unsqueeze, Concat, Reshape) on a dynamic batch', opset: 13, x: [3, 2, 2, 2], init: [int64Tensor('zero', [], [0]), int64Tensor('ax', [1], [0]), int64Tensor('m1', [1], [-1])], nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['s'] }, { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['n', 'ax'], outputs: ['n1'] }, { op: 'Concat', inputs: ['n1', 'm1'], outputs: ['shape'], attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }] },
];

describe('single ops equal onnxruntime-web on the same file', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const bytes = buildModel({ nodes: c.nodes, outputs: ['y'], initializers: c.init, opset: c.opset, inputs: [{ name: 'x', dims: c.x }] });
    const n = c.x.reduce((a, b) => a * b, 1);
    const data = Float32Array.from(randomArray(n, 11), (v) => v * 4);
    const [ref] = await ortRun(bytes, { x: { data, dims: c.x } });
    const m = loadOnnx(bytes);
    m.eval();
    const y = m.forward(sn.tensor(data, c.x)) as sn.Tensor;
    expect(y.shape).toEqual(ref.dims);
    expect(maxRelErr(y.toFloat32Array(), ref.data, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
  });
});

describe('shape subgraphs', () => {
  it('constant-only subgraphs are folded at load; those from an activation\'s Shape run in JS per forward', () => {
    const bytes = buildModel({
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: { tensor: int64Tensor('', [2], [-1, 4]) } } },
        { op: 'Mul', inputs: ['c', 'one'], outputs: ['shape'] },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
      ],
      outputs: ['y'], initializers: [int64Tensor('one', [1], [1])], inputs: [{ name: 'x', dims: [2, 2, 2] }],
    });
    const m = loadOnnx(bytes);
    expect(m.nodes.map((n) => n.opType)).toEqual(['Reshape']);
    expect((m.forward(sn.zeros([4, 2, 2])) as sn.Tensor).shape).toEqual([4, 4]);
  });
});
