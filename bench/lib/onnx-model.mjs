// Builds one-node ONNX models in memory (no onnx package, no files): a minimal
// protobuf writer for the few ModelProto fields a single-operator graph needs.
// Used by the benchmarks to run the same operator in onnxruntime-web.
//
// Field numbers are from onnx/onnx.proto (IR version 8, opset 17).

const enc = new TextEncoder();

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const key = (field, wire) => varint((field << 3) | wire);
/** varint field */
const fInt = (field, n) => [...key(field, 0), ...varint(n)];
/** length-delimited field: bytes, string or embedded message */
const fBytes = (field, bytes) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const fStr = (field, s) => fBytes(field, enc.encode(s));
const fMsg = (field, parts) => fBytes(field, parts.flat());

const FLOAT = 1; // TensorProto.DataType.FLOAT

/** AttributeProto: name=1, type=20 (INT=2, INTS=7, FLOAT=1), i=3, f=2, ints=8 */
export function attrInt(name, i) {
  return [fStr(1, name), fInt(20, 2), fInt(3, i)];
}
export function attrInts(name, ints) {
  return [fStr(1, name), fInt(20, 7), ...ints.map((v) => fInt(8, v))];
}

/** ValueInfoProto for a float tensor: name=1, type=2 { tensor_type=1 { elem_type=1, shape=2 { dim=1 { dim_value=1 } } } } */
function valueInfo(name, shape) {
  const dims = shape.map((d) => fMsg(1, [fInt(1, d)]));
  const shapeMsg = fMsg(2, dims);
  const tensorType = fMsg(1, [fInt(1, FLOAT), shapeMsg]);
  return [fStr(1, name), fMsg(2, [tensorType])];
}

/**
 * A model with one node `op` over float inputs, returning its one output.
 * inputs: [{ name, shape }], output: { name, shape }, attrs: AttributeProto parts.
 */
export function oneNodeModel({ op, inputs, output, attrs = [] }) {
  // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
  const node = [
    ...inputs.map((i) => fStr(1, i.name)),
    fStr(2, output.name),
    fStr(3, `${op}_0`),
    fStr(4, op),
    ...attrs.map((a) => fMsg(5, a)),
  ];
  // GraphProto: node=1, name=2, input=11, output=12
  const graph = [
    fMsg(1, node),
    fStr(2, 'g'),
    ...inputs.map((i) => fMsg(11, valueInfo(i.name, i.shape))),
    fMsg(12, valueInfo(output.name, output.shape)),
  ];
  // ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 { domain=1, version=2 }
  const model = [fInt(1, 8), fStr(2, 'simdnn-bench'), fMsg(7, graph), fMsg(8, [fStr(1, ''), fInt(2, 17)])];
  return new Uint8Array(model.flat());
}

/** C[M,N] = A[M,K]·B[K,N] */
export function matMulModel(M, K, N) {
  return oneNodeModel({
    op: 'MatMul',
    inputs: [{ name: 'A', shape: [M, K] }, { name: 'B', shape: [K, N] }],
    output: { name: 'C', shape: [M, N] },
  });
}
