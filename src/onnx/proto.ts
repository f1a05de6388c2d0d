// Decoding and encoding ONNX's protobuf messages with `onnx-proto`: the
// published onnx.proto (v1.10, IR 8) compiled by protobufjs to static code. It
// was picked over a reflection-based protobufjs load of the .proto text (which
// needs the full protobufjs build with its .proto parser in the bundle) and @bufbuild/protobuf
// (not installed, a code generator step): static decode/encode only needs
// protobufjs/minimal and is the fastest protobufjs mode. Its reader checks every
// length against the buffer (a truncated or lying file throws instead of
// reading past the end); we turn that into a SimdnnError.
import onnxProto from 'onnx-proto';
import { SimdnnError } from '../errors.js';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** protobufjs gives int64 as a number, or as a Long where the `long` package is present. */
type Int64 = number | { toNumber(): number } | string | null | undefined;

/** An int64 field as a JS integer, or a SimdnnError when it is not a safe integer. */
export function toInt(v: Int64, what: string): number {
  const n = v === null || v === undefined ? 0 : typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : v.toNumber();
  if (!Number.isSafeInteger(n)) throw new SimdnnError('loadOnnx', `${what} is ${String(v)}, not an integer this runtime can represent`);
  return n;
}

/** As toInt, but values beyond ±2^53 saturate (INT64_MAX as "to the end" in Slice, for instance). */
export function toIntSaturating(v: Int64): number {
  const n = v === null || v === undefined ? 0 : typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : v.toNumber();
  if (Number.isSafeInteger(n)) return n;
  return n > 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new SimdnnError('loadOnnx', `bytes must be a Uint8Array (the .onnx file's contents), got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length === 0) throw new SimdnnError('loadOnnx', 'the file is empty');
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new SimdnnError('loadOnnx', `not a valid ONNX model file (protobuf decoding failed at ${(e as Error).message}); the file may be truncated or not an .onnx file`);
  }
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type IModelProto = onnxProto.onnx.IModelProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type INodeProto = onnxProto.onnx.INodeProto;
