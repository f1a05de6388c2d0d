// saveOnnx: writes the core's graph form (src/graph/ir.ts: one forward traced
// through the hook every public op reports to) as ONNX nodes. Initializers are
// the module's parameters and buffers under their stateDict keys. A graph module
// (loadOnnx) reports its own nodes as they are, so import -> export is exact.
import { checkKnownKeys, fmtShape, SimdnnError } from '../errors.js';
import { nn, sn, traceGraph, type TracedGraph as Graph, type TracedNode, type Tensor, type ValueId } from './core.js';
import type { Const } from './constant.js';
import type { GraphNode } from './graph.js';
import { encodeModel, onnx, type IAttributeProto, type INodeProto, type ITensorProto } from './proto.js';

export interface SaveOnnxOptions {
  /** The input's shape to trace with, batch included; the file's batch dim is symbolic. */
  inputShape: number[];
  /** 11 to 17; default 13. */
  opset?: number;
}

/** What a graph module hands the tracer: its nodes, constants and where its values live. */
export interface TracedSubgraph {
  nodes: readonly GraphNode[];
  known: ReadonlyMap<string, Const>;
  tensors: ReadonlyMap<string, Tensor>;
  inputNames: readonly string[];
  outputName: string;
  opset: number;
}

const A = onnx.AttributeProto.AttributeType;
const ints = (name: string, v: number[]): IAttributeProto => ({ name, type: A.INTS, ints: v });
const int = (name: string, v: number): IAttributeProto => ({ name, type: A.INT, i: v });
const float = (name: string, v: number): IAttributeProto => ({ name, type: A.FLOAT, f: v });

function floatInit(name: string, dims: readonly number[], data: Float32Array): ITensorProto {
  return { name, dims: dims.slice(), dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
function constInit(name: string, c: Const): ITensorProto {
  if (c.type === 'float') return floatInit(name, c.dims, Float32Array.from(c.data));
  const big = BigInt64Array.from(Array.from(c.data, (v) => BigInt(v)));
  return c.type === 'bool'
    ? { name, dims: c.dims.slice(), dataType: onnx.TensorProto.DataType.BOOL, rawData: Uint8Array.from(c.data) }
    : { name, dims: c.dims.slice(), dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(big.buffer) };
}

const ARITHMETIC: Record<string, string> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' };

/** Writes a traced Graph (src/graph/ir.ts) as ONNX nodes and initializers. */
class OnnxWriter {
  readonly nodes: INodeProto[] = [];
  readonly initializers: ITensorProto[] = [];
  private readonly names = new Map<ValueId, string>();
  private readonly stateNames: Map<Tensor, string>;
  private readonly written = new Map<Tensor, string>();
  private count = 0;

  constructor(model: nn.Module, private readonly g: Graph, private readonly opset: number) {
    this.stateNames = new Map(model.namedStates().map(([k, t]) => [t, k]));
    g.inputs.forEach((v, i) => this.names.set(v, g.inputs.length === 1 ? 'input' : `input${i}`));
    for (const [v, t] of g.constants) this.names.set(v, this.initializer(t));
    for (const n of g.nodes) this.op(n);
  }

  /** Parameters and buffers under their stateDict keys; other tensors the forward read (made in it) as constants. */
  private initializer(t: Tensor): string {
    let name = this.written.get(t);
    if (name === undefined) {
      name = this.stateNames.get(t) ?? `constant_${this.count++}`;
      this.written.set(t, name);
      this.initializers.push(floatInit(name, t.shape, t.toFloat32Array()));
    }
    return name;
  }

  nameOf(v: ValueId): string {
    return this.names.get(v)!;
  }

  private node(opType: string, inputs: string[], out: ValueId, attrs: IAttributeProto[] = []): void {
    const name = `/${opType}_${this.count++}`;
    const output = `${name}_output`;
    this.nodes.push({ name, opType, input: inputs, output: [output], attribute: attrs });
    this.names.set(out, output);
  }

  private fail(op: string, msg: string): never {
    throw new SimdnnError('saveOnnx', `${op}: ${msg}`);
  }

  private constant(name: string, dims: number[], data: Float32Array): string {
    const n = `${name}_${this.count++}`;
    this.initializers.push(floatInit(n, dims, data));
    return n;
  }

  /** One traced node -> ONNX node(s). */
  private op(nd: TracedNode): void {
    const { op, inputs, output: out, attrs: a } = nd;
    if (op === 'onnxGraph') return this.subgraph(inputs, out, a.subgraph as TracedSubgraph);
    const ins = inputs.filter((v): v is ValueId => v !== null && v !== undefined);
    const n = ins.map((v) => this.nameOf(v));
    const shape = (v: ValueId) => this.g.shapes[v];
    const pair = (v: unknown) => v as [number, number];
    switch (op) {
      case 'conv2d': {
        const w = shape(inputs[1]!);
        const p = pair(a.padding);
        return this.node('Conv', n, out, [ints('kernel_shape', [w[2], w[3]]), ints('strides', pair(a.stride)), ints('pads', [p[0], p[1], p[0], p[1]]), ints('dilations', pair(a.dilation)), int('group', a.groups as number)]);
      }
      case 'linear':
        if (shape(ins[0]).length !== 2) this.fail(op, `input ${fmtShape(shape(ins[0]))} is not 2-D [N, features]`);
        return this.node('Gemm', n, out, [int('transB', 1)]);
      case 'matmul': return this.node('MatMul', n, out);
      case 'batchNorm': {
        if (a.training) this.fail(op, 'traced in training mode');
        const [x, rm, rv, w, b] = inputs;
        const C = shape(x!)[1];
        const scale = w !== null ? this.nameOf(w) : this.constant('ones', [C], new Float32Array(C).fill(1));
        const shift = b !== null ? this.nameOf(b) : this.constant('zeros', [C], new Float32Array(C));
        return this.node('BatchNormalization', [this.nameOf(x!), scale, shift, this.nameOf(rm!), this.nameOf(rv!)], out, [float('epsilon', a.eps as number), float('momentum', 1 - (a.momentum as number))]);
      }
      case 'relu': return this.node('Relu', n, out);
      case 'hardtanh': // ONNX Clip with scalar min/max inputs (opset 11 on); an infinite bound is left out
        return this.node('Clip', [
          n[0],
          Number.isFinite(a.min) ? this.constant('min', [], new Float32Array([a.min as number])) : '',
          Number.isFinite(a.max) ? this.constant('max', [], new Float32Array([a.max as number])) : '',
        ], out);
      case 'tanh': return this.node('Tanh', n, out);
      case 'sigmoid': return this.node('Sigmoid', n, out);
      case 'softmax':
      case 'logSoftmax': {
        const dim = a.dim as number;
        if (this.opset < 13 && dim !== shape(ins[0]).length - 1) this.fail(op, `over dim ${dim} (not the last) needs opset 13 or later`);
        return this.node(op === 'softmax' ? 'Softmax' : 'LogSoftmax', n, out, [int('axis', dim)]);
      }
      case 'localResponseNorm':
        return this.node('LRN', n, out, [int('size', a.size as number), float('alpha', a.alpha as number), float('beta', a.beta as number), float('bias', a.k as number)]);
      case 'dropout':
        if (a.training && (a.p as number) > 0) this.fail(op, 'traced in training mode');
        this.names.set(out, n[0]); // identity in evaluation
        return;
      case 'maxPool2d':
      case 'avgPool2d': {
        const p = pair(a.padding);
        const attrs = [ints('kernel_shape', pair(a.kernelSize)), ints('strides', pair(a.stride)), ints('pads', [p[0], p[1], p[0], p[1]]), int('ceil_mode', a.ceilMode ? 1 : 0)];
        if (op === 'maxPool2d') {
          const d = pair(a.dilation);
          if (d[0] !== 1 || d[1] !== 1) attrs.push(ints('dilations', d));
          return this.node('MaxPool', n, out, attrs);
        }
        return this.node('AveragePool', n, out, [...attrs, int('count_include_pad', a.countIncludePad ? 1 : 0)]);
      }
      case 'adaptiveAvgPool2d':
      case 'adaptiveMaxPool2d': {
        const [, , H, W] = shape(ins[0]);
        const [, , OH, OW] = shape(out);
        const kind = op === 'adaptiveAvgPool2d' ? 'Average' : 'Max';
        if (OH === 1 && OW === 1) return this.node(`Global${kind}Pool`, n, out);
        if (H % OH !== 0 || W % OW !== 0) this.fail(op, `output ${OH}x${OW} does not divide input ${H}x${W} (ONNX has no adaptive pooling)`);
        return this.node(`${kind}Pool`, n, out, [ints('kernel_shape', [H / OH, W / OW]), ints('strides', [H / OH, W / OW])]);
      }
      case 'reshape': {
        const outShape = shape(out);
        const inShape = shape(ins[0]);
        const shapeName = `${outShape.join('x')}_shape_${this.count++}`;
        // 0 copies the input's dim: a reshape that keeps the batch (a flatten) works for any batch size.
        const target = outShape.map((d, i) => (i === 0 && inShape.length > 0 && d === inShape[0] ? 0 : d));
        this.initializers.push(constInit(shapeName, { kind: 'const', dims: [outShape.length], type: 'int', data: Float64Array.from(target) }));
        return this.node('Reshape', [n[0], shapeName], out);
      }
      case 'add':
      case 'sub':
      case 'mul':
      case 'div': {
        const type = ARITHMETIC[op];
        if (typeof a.scalar !== 'number') return this.node(type, n, out);
        // A number operand: a 0-d constant (not a stateDict entry), on the side it was given.
        const s = `scalar_${this.count++}`;
        this.initializers.push(floatInit(s, [], Float32Array.of(a.scalar)));
        return this.node(type, a.scalarFirst ? [s, n[0]] : [n[0], s], out);
      }
      case 'permute':
      case 'transpose': return this.node('Transpose', n, out, [ints('perm', a.perm as number[])]);
      case 'concat': return this.node('Concat', n, out, [int('axis', a.dim as number)]);
      default: this.fail(op, 'has no ONNX export');
    }
  }

  /** A graph module's own nodes, renamed into this graph; its parameters keep their (outer) stateDict names. */
  private subgraph(inputs: readonly (ValueId | null)[], out: ValueId, g: TracedSubgraph): void {
    if (g.opset !== this.opset) this.fail('loadOnnx graph', `was loaded at opset ${g.opset}; export it at the same opset (saveOnnx(model, { opset: ${g.opset}, … }))`);
    const prefix = `/g${this.count++}`;
    const rename = new Map<string, string>();
    g.inputNames.forEach((name, i) => rename.set(name, this.nameOf(inputs[i]!)));
    for (const [name, t] of g.tensors) rename.set(name, this.initializer(t));
    const read = new Set([...g.nodes.flatMap((nd) => nd.inputs), g.outputName]);
    for (const [name, c] of g.known) {
      if (!read.has(name)) continue;
      const n = `${prefix}/${name}`;
      rename.set(name, n);
      // A Constant node, not an initializer: loaded back, a float initializer would become a parameter.
      this.nodes.push({ name: `${n}/Constant`, opType: 'Constant', input: [], output: [n], attribute: [{ name: 'value', type: A.TENSOR, t: constInit('', c) }] });
    }
    const nameOf = (v: string) => (v === '' ? '' : rename.get(v) ?? `${prefix}/${v}`);
    for (const node of g.nodes) {
      this.nodes.push({ name: `${prefix}/${node.name}`, opType: node.opType, input: node.inputs.map(nameOf), output: node.outputs.map(nameOf), attribute: [...node.attrs.values()] });
    }
    this.names.set(out, nameOf(g.outputName));
  }
}

/** Writes `model` as an ONNX file (a forward traced at `inputShape`, in evaluation mode). */
export function saveOnnx(model: nn.Module, opts: SaveOnnxOptions): Uint8Array {
  const op = 'saveOnnx';
  if (!(model instanceof nn.Module)) throw new SimdnnError(op, 'model must be an nn.Module');
  if (opts === null || typeof opts !== 'object') throw new SimdnnError(op, 'options { inputShape } are required');
  checkKnownKeys(op, opts, ['inputShape', 'opset']);
  const { inputShape } = opts;
  const opset = opts.opset ?? (model as { opset?: number }).opset ?? 13; // a graph module: its own opset
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) throw new SimdnnError(op, `inputShape must be an array of positive sizes, e.g. [1, 3, 224, 224], got ${String(inputShape)}`);
  if (!Number.isInteger(opset) || opset < 11 || opset > 17) throw new SimdnnError(op, `opset must be an integer from 11 to 17, got ${String(opset)}`);
  const wasTraining = model.training;
  model.eval();
  let writer: OnnxWriter | null = null;
  let graphOutputs: string[] = [];
  let outShapes: number[][] = [];
  sn.tidy(() => {
    const x = sn.zeros(inputShape);
    // Traced with gradients on: the model's own forward runs, not the no-grad executor's plan.
    let traced;
    try {
      traced = traceGraph(() => model.forward(x), [x], { unknown: 'constant', subgraphs: true });
    } finally {
      model.train(wasTraining);
    }
    if (traced.graph === null) throw new SimdnnError(op, 'the model\'s forward must return a Tensor or an array of Tensors');
    const g = traced.graph;
    writer = new OnnxWriter(model, g, opset);
    graphOutputs = g.outputs.map((v) => writer!.nameOf(v));
    outShapes = g.outputs.map((v) => g.shapes[v].slice());
  });
  const w = writer as unknown as OnnxWriter;
  // Graph outputs get stable names: 'output' (or 'output0', 'output1', … for several).
  const finalNames = graphOutputs.map((_, i) => (graphOutputs.length === 1 ? 'output' : `output${i}`));
  graphOutputs.forEach((name, i) => {
    const producer = w.nodes.find((nd) => nd.output!.includes(name));
    if (producer) {
      producer.output = producer.output!.map((o) => (o === name ? finalNames[i] : o));
      for (const nd of w.nodes) nd.input = nd.input!.map((v) => (v === name ? finalNames[i] : v));
    } else w.nodes.push({ name: `/Identity_${i}`, opType: 'Identity', input: [name], output: [finalNames[i]] });
  });
  // The batch dim is symbolic ('batch'): the graph runs at any batch size (see the Reshape targets above).
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d, i) => (i === 0 ? { dimParam: 'batch' } : { dimValue: d })) } } } });
  return encodeModel({
    irVersion: 8,
    producerName: 'simdnn',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: model.typeName,
      node: w.nodes,
      initializer: w.initializers,
      input: [vi('input', inputShape)],
      output: finalNames.map((n, i) => vi(n, outShapes[i])),
    },
  });
}
