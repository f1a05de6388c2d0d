// A one-node ONNX model, Y = Conv(X, W[, B]) with the weights as initializers
// (so onnxruntime can pre-pack them, as it would for a real model), encoded by
// hand in the protobuf wire format: no model file, no python at bench time.

const varint = (n) => {
  const out = [];
  while (n > 127) { out.push((n & 127) | 128); n = Math.floor(n / 128); }
  out.push(n);
  return Uint8Array.from(out);
};
const cat = (...parts) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const key = (no, wire) => varint(no * 8 + wire);
const int = (no, v) => cat(key(no, 0), varint(v));
const bytes = (no, b) => cat(key(no, 2), varint(b.length), b);
const str = (no, s) => bytes(no, new TextEncoder().encode(s));

/** ValueInfoProto: a float tensor named `name` with fixed `dims`. */
const valueInfo = (name, dims) => cat(
  str(1, name),
  bytes(2, bytes(1, cat(int(1, 1), bytes(2, cat(...dims.map((d) => bytes(1, int(1, d)))))))),
);
/** TensorProto: float initializer with raw little-endian data. */
const initializer = (name, dims, data) => cat(
  ...dims.map((d) => int(1, d)), int(2, 1), str(8, name),
  bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
);
/** AttributeProto of type INTS (7) or INT (2). */
const ints = (name, vals) => cat(str(1, name), int(20, 7), ...vals.map((v) => int(8, v)));
const intAttr = (name, v) => cat(str(1, name), int(20, 2), int(3, v));

/**
 * Conv model bytes: x [N, C, H, W], w Float32Array [OC, C/groups, kH, kW], b Float32Array | null,
 * symmetric padding p, stride s, dilation d, groups (opset 13).
 */
export function onnxConvModel({ N, C, H, W, OC, k, s = 1, p = 0, d = 1, groups = 1 }, w, b) {
  const OH = Math.floor((H + 2 * p - d * (k - 1) - 1) / s) + 1;
  const OW = Math.floor((W + 2 * p - d * (k - 1) - 1) / s) + 1;
  const inputs = b ? ['X', 'W', 'B'] : ['X', 'W'];
  const node = cat(
    ...inputs.map((n) => str(1, n)), str(2, 'Y'), str(4, 'Conv'),
    bytes(5, ints('kernel_shape', [k, k])), bytes(5, ints('strides', [s, s])),
    bytes(5, ints('pads', [p, p, p, p])), bytes(5, ints('dilations', [d, d])), bytes(5, intAttr('group', groups)),
  );
  const graph = cat(
    bytes(1, node), str(2, 'conv'),
    bytes(5, initializer('W', [OC, C / groups, k, k], w)),
    ...(b ? [bytes(5, initializer('B', [OC], b))] : []),
    bytes(11, valueInfo('X', [N, C, H, W])), bytes(12, valueInfo('Y', [N, OC, OH, OW])),
  );
  return cat(int(1, 7), bytes(7, graph), bytes(8, cat(str(1, ''), int(2, 13))));
}

/** MaxPool model bytes: x [N, C, H, W], kernel k, stride s, no padding (opset 13). */
export function onnxMaxPoolModel({ N, C, H, W, k, s }) {
  const O = Math.floor((H - k) / s) + 1;
  const node = cat(str(1, 'X'), str(2, 'Y'), str(4, 'MaxPool'), bytes(5, ints('kernel_shape', [k, k])), bytes(5, ints('strides', [s, s])));
  const graph = cat(bytes(1, node), str(2, 'pool'), bytes(11, valueInfo('X', [N, C, H, W])), bytes(12, valueInfo('Y', [N, C, O, O])));
  return cat(int(1, 7), bytes(7, graph), bytes(8, cat(str(1, ''), int(2, 13))));
}
