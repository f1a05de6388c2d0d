// Builds small ONNX models in memory with onnx-proto's encoder, for the
// malformed-file and op tests: a graph of nodes over named float initializers.
import { onnx, type IAttributeProto, type IModelProto, type ITensorProto } from '../../src/onnx/proto.js';

export interface NodeSpec { op: string; inputs: string[]; outputs: string[]; name?: string; attrs?: Record<string, number | number[] | string | Float32Array | { f: number } | { tensor: ITensorProto }> }

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(Float32Array.from(data).buffer) };
}
export function int64Tensor(name: string, dims: number[], data: number[]): ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(BigInt64Array.from(data.map(BigInt)).buffer) };
}

function attr(name: string, v: NonNullable<NodeSpec['attrs']>[string]): IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
  if (v instanceof Float32Array) return { name, type: A.FLOATS, floats: Array.from(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if ('f' in v) return { name, type: A.FLOAT, f: v.f };
  return { name, type: A.TENSOR, t: v.tensor };
}

export function modelProto(spec: {
  nodes: NodeSpec[]; inputs?: { name: string; dims: number[] }[]; outputs: string[]; initializers?: ITensorProto[]; opset?: number;
}): IModelProto {
  const vi = (name: string, dims?: number[]) => ({
    name, type: { tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } },
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `n${i}`, opType: n.op, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attr(k, v)),
      })),
      initializer: spec.initializers ?? [],
      input: (spec.inputs ?? [{ name: 'x', dims: [1, 1, 4, 4] }]).map((i) => vi(i.name, i.dims)),
      output: spec.outputs.map((o) => vi(o)),
    },
  };
}

export function encode(m: IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(m as never)).finish();
}
export const buildModel = (spec: Parameters<typeof modelProto>[0]) => encode(modelProto(spec));
