// A model file is untrusted input: each malformed, truncated or hostile case is a
// SimdnnError at load that says what is wrong, never an out-of-bounds read or an
// allocation larger than the file could describe.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { loadOnnx } from '../../src/onnx/index.js';
import { onnx } from '../../src/onnx/proto.js';
import { buildModel, encode, floatTensor, int64Tensor, modelProto } from './make-model.js';

const good = () => new Uint8Array(readFileSync(new URL('../fixtures/onnx/basic_block-op13.onnx', import.meta.url)));
const relu = (extra: Partial<Parameters<typeof modelProto>[0]> = {}) => modelProto({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], outputs: ['y'], ...extra });

function rejects(bytes: Uint8Array, pattern: RegExp, opts?: Parameters<typeof loadOnnx>[1]): void {
  let err: unknown = null;
  try {
    loadOnnx(bytes, opts);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(sn.SimdnnError);
  expect((err as Error).message).toMatch(pattern);
}

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('malformed files', () => {
  it('a well-formed minimal model loads (the baseline the cases below break)', () => {
    const m = loadOnnx(encode(relu()));
    expect((m.forward(sn.tensor([-1, 2], [1, 2])) as sn.Tensor).toArray()).toEqual([[0, 2]]);
  });

  it('not bytes, empty, garbage, and every truncation of a real file', () => {
    rejects('abc' as unknown as Uint8Array, /must be a Uint8Array/);
    rejects(new Uint8Array(0), /empty/);
    rejects(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /not a valid ONNX model|no graph/);
    const bytes = good();
    for (const cut of [1, 7, 100, 1000, bytes.length >> 1, bytes.length - 1]) {
      expect(() => loadOnnx(bytes.subarray(0, cut))).toThrow(sn.SimdnnError);
    }
  });

  it('a length prefix larger than the file (a lying length) is a decoding error, not a read past the end', () => {
    // field 7 (graph), wire type 2, length 2^31: protobuf says 2 GB follow, the file has 3 bytes.
    rejects(new Uint8Array([0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3]), /protobuf decoding failed/);
  });

  it('initializer data that does not match its dims (short, long, typed-field count)', () => {
    rejects(encode(relu({ initializers: [{ ...floatTensor('w', [2, 3], [1, 2, 3, 4, 5, 6]), dims: [2, 4] }] })), /initializer 'w': dims \[2,4\] of float32 need 32 bytes, the file has 24/);
    rejects(encode(relu({ initializers: [{ ...floatTensor('w', [2], [1, 2]), dims: [1] }] })), /need 4 bytes, the file has 8/);
    rejects(encode(relu({ initializers: [{ name: 'w', dims: [3], dataType: 1, floatData: [1, 2] }] })), /hold 3 values, the file has 2/);
  });

  it('dims that overflow or describe absurd sizes are rejected before any allocation', () => {
    rejects(encode(relu({ initializers: [{ ...floatTensor('w', [1], [1]), dims: [1 << 20, 1 << 20, 1 << 20] }] })), /more than 2\^30 elements/);
    rejects(encode(relu({ initializers: [{ ...floatTensor('w', [1], [1]), dims: [-4] }] })), /negative/);
    rejects(encode(relu({ initializers: [{ ...floatTensor('w', [1], [1]), dims: [2 ** 60] }] })), /not an integer this runtime can represent|more than 2\^30/);
  });

  it('unsupported data types, opsets and domains', () => {
    rejects(encode(relu({ initializers: [{ name: 'w', dims: [1], dataType: onnx.TensorProto.DataType.FLOAT16, rawData: new Uint8Array(2) }] })), /FLOAT16 is not supported/);
    rejects(encode(relu({ opset: 7 })), /opset 7 is not supported \(supported: 9 to 17\)/);
    rejects(encode(relu({ opset: 18 })), /opset 18 is not supported/);
    const m = relu();
    m.graph!.node![0].domain = 'com.microsoft';
    rejects(encode(m), /domain 'com.microsoft'/);
  });

  it('graph structure: undefined inputs, values defined twice, cycles, missing outputs', () => {
    rejects(buildModel({ nodes: [{ op: 'Add', inputs: ['x', 'nowhere'], outputs: ['y'] }], outputs: ['y'] }), /node 'n0' \(Add\) reads 'nowhere', which no node, graph input or initializer defines/);
    rejects(buildModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }, { op: 'Relu', inputs: ['x'], outputs: ['y'] }], outputs: ['y'] }), /'y' is produced twice/);
    rejects(buildModel({
      nodes: [{ op: 'Add', inputs: ['x', 'b'], outputs: ['a'] }, { op: 'Relu', inputs: ['a'], outputs: ['b'] }], outputs: ['b'],
    }), /cycle through nodes 'n0', 'n1'/);
    rejects(buildModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], outputs: ['z'] }), /graph output 'z' is not produced/);
    rejects(buildModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], outputs: [] }), /no outputs/);
  });

  it('unsupported ops and attributes name the node, op type and opset, and what is supported', () => {
    rejects(buildModel({ nodes: [{ op: 'Einsum', name: 'e1', inputs: ['x'], outputs: ['y'] }], outputs: ['y'] }), /node 'e1': op type Einsum \(opset 13\) is not supported \(supported: .*Conv.*\)/);
    rejects(buildModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: { bogus: 1 } }], outputs: ['y'] }), /node 'n0' \(Relu, opset 13\): attribute 'bogus' is not supported \(supported: none\)/);
    rejects(buildModel({ nodes: [{ op: 'Pad', inputs: ['x', 'p'], outputs: ['y'], attrs: { mode: 'reflect' } }], outputs: ['y'], initializers: [int64Tensor('p', [8], [0, 0, 1, 1, 0, 0, 1, 1])] }), /mode 'reflect' is not supported/);
    rejects(buildModel({ nodes: [{ op: 'LRN', inputs: ['x'], outputs: ['y'], attrs: { size: 4 } }], outputs: ['y'] }), /size 4 is not supported/);
    rejects(buildModel({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3, 3] } }], outputs: ['y'], initializers: [floatTensor('w', [1, 1, 1, 1], [1])] }), /only 2-D convolution/);
    rejects(buildModel({ nodes: [{ op: 'Dropout', inputs: ['x'], outputs: ['y', 'mask'] }], outputs: ['y'] }), /mask output is not supported/);
  });

  it('ops that only compute on shapes reject an activation at load', () => {
    rejects(buildModel({ nodes: [{ op: 'Gather', inputs: ['x', 'i'], outputs: ['y'] }], outputs: ['y'], initializers: [int64Tensor('i', [1], [0])] }), /input 0 \('x'\) must be a constant or computed from shapes/);
  });

  it('external data: missing file, out-of-range offset, wrong length', () => {
    const ext = (kv: Record<string, string>) => relu({
      initializers: [{ name: 'w', dims: [2], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: Object.entries(kv).map(([key, value]) => ({ key, value })) }],
    });
    rejects(encode(ext({ location: 'w.bin' })), /external file 'w.bin'; pass it as loadOnnx\(bytes, \{ externalData/);
    rejects(encode(ext({ location: 'w.bin', offset: '4', length: '8' })), /lies outside 'w.bin'/, { externalData: { 'w.bin': new Uint8Array(8) } });
    rejects(encode(ext({ location: 'w.bin', length: '4' })), /need 8 bytes, the file has 4/, { externalData: { 'w.bin': new Uint8Array(8) } });
    const m = loadOnnx(encode(ext({ location: 'w.bin', offset: '4', length: '8' })), { externalData: { 'w.bin': new Uint8Array(new Float32Array([9, 1, 2]).buffer) } });
    void m; // w is not read by the graph: unused initializers are not kept
  });

  it('options: unknown keys, outputs that are not values', () => {
    rejects(encode(relu()), /unknown option 'output'/, { output: ['y'] } as never);
    rejects(encode(relu()), /outputs: 'nope' is not a value of this graph/, { outputs: ['nope'] });
  });
});

describe('external data that is read', () => {
  it('an initializer read from a second buffer at its offset', () => {
    const model = modelProto({
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }], outputs: ['y'], inputs: [{ name: 'x', dims: [2] }],
      initializers: [{ name: 'w', dims: [2], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'w.bin' }, { key: 'offset', value: '4' }, { key: 'length', value: '8' }] }],
    });
    const m = loadOnnx(encode(model), { externalData: { 'w.bin': new Uint8Array(new Float32Array([9, 1, 2]).buffer) } });
    expect(Array.from((m.forward(sn.tensor([10, 20])) as sn.Tensor).toFloat32Array())).toEqual([11, 22]);
    expect(m.stateDict().w.shape).toEqual([2]);
  });
});

describe('hostile sizes at run time', () => {
  it('pads or broadcasts that would allocate far more than the file describes are errors, not allocations', () => {
    const padded = loadOnnx(buildModel({ nodes: [{ op: 'Pad', inputs: ['x', 'p'], outputs: ['y'] }], outputs: ['y'], initializers: [int64Tensor('p', [8], [0, 0, 0, 0, 0, 0, 1 << 20, 1 << 20])] }));
    expect(() => padded.forward(sn.zeros([1, 1, 4, 4]))).toThrow(/more than 2\^28 elements/);
    const conv = loadOnnx(buildModel({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: [0, 0, 1 << 20, 1 << 20] } }], outputs: ['y'], initializers: [floatTensor('w', [1, 1, 1, 1], [1])] }));
    expect(() => conv.forward(sn.zeros([1, 1, 4, 4]))).toThrow(/more than 2\^28 elements/);
    const wide = loadOnnx(buildModel({
      nodes: [{ op: 'Mul', inputs: ['a', 'b'], outputs: ['y'] }], outputs: ['y'], inputs: [],
      initializers: [floatTensor('a', [1 << 15, 1], new Float32Array(1 << 15)), floatTensor('b', [1, 1 << 14], new Float32Array(1 << 14))],
    }));
    expect(() => wide.forward()).toThrow(/more than 2\^28 elements/);
  });
});
