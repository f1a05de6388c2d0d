// A one-node ONNX model, C = MatMul(A, B) with float inputs of fixed shapes,
// encoded by hand (protobuf wire format) so benchmarks need no model file.

const varint = (n) => {
  const out = [];
  while (n > 127) { out.push((n & 127) | 128); n = Math.floor(n / 128); }
  out.push(n);
  return out;
};
const field = (no, wire, payload) => [...varint(no * 8 + wire), ...payload];
const int = (no, v) => field(no, 0, varint(v));
const bytes = (no, b) => field(no, 2, [...varint(b.length), ...b]);
const str = (no, s) => bytes(no, [...new TextEncoder().encode(s)]);

/** ValueInfoProto: a float tensor named `name` with fixed `dims`. */
const valueInfo = (name, dims) => [
  ...str(1, name),
  ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, dims.flatMap((d) => bytes(1, int(1, d))))])),
];

/** Model bytes for C[M,N] = A[M,K] · B[K,N] (opset 13). */
export function onnxMatMulModel(M, N, K) {
  const node = [...str(1, 'A'), ...str(1, 'B'), ...str(2, 'C'), ...str(4, 'MatMul')];
  const graph = [
    ...bytes(1, node), ...str(2, 'matmul'),
    ...bytes(11, valueInfo('A', [M, K])), ...bytes(11, valueInfo('B', [K, N])),
    ...bytes(12, valueInfo('C', [M, N])),
  ];
  return new Uint8Array([...int(1, 7), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 13)])]);
}
