import { SimdnnError } from '../errors.js';
import { ImageArrayDataset } from './dataset.js';
import { gunzipAsync, isGzip } from './gunzip.js';

/** A decoded IDX array (the MNIST file format: big-endian header and data). */
export interface IdxArray {
  dtype: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, [IdxArray['dtype'], number]> = {
  0x08: ['uint8', 1], 0x09: ['int8', 1], 0x0b: ['int16', 2], 0x0c: ['int32', 4], 0x0d: ['float32', 4], 0x0e: ['float64', 8],
};

/** Parses an uncompressed IDX file; `name` (its path) goes into every error message. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const fail = (msg: string): never => {
    throw new SimdnnError('readIdx', `${name}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file contents as a Uint8Array');
  if (isGzip(bytes)) fail('is gzip-compressed; use readIdx (async) or readIdxFile, which gunzip');
  if (bytes.length < 4) fail(`is ${bytes.length} bytes, too short for the 4-byte IDX magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`is not an IDX file: magic number starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00`);
  const type = TYPES[bytes[2]];
  if (!type) fail(`unknown IDX data type code ${hex(bytes[2])} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)`);
  const [dtype, width] = type;
  const ndim = bytes[3];
  if (ndim === 0) fail('header declares 0 dimensions');
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) fail(`truncated header: ${ndim} dimensions need ${headerLen} bytes, file has ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(dv.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = headerLen + count * width;
  if (bytes.length < need) fail(`truncated: header says [${shape.join(',')}] ${dtype} = ${count * width} bytes of data, file has ${bytes.length - headerLen}`);
  if (bytes.length > need) fail(`has ${bytes.length - need} bytes after the [${shape.join(',')}] ${dtype} data the header declares`);
  let data: IdxArray['data'];
  switch (dtype) {
    case 'uint8': data = bytes.slice(headerLen, need); break;
    case 'int8': data = new Int8Array(bytes.slice(headerLen, need).buffer); break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype];
      const out = new Ctor(count);
      const get = { int16: dv.getInt16, int32: dv.getInt32, float32: dv.getFloat32, float64: dv.getFloat64 }[dtype].bind(dv);
      for (let i = 0; i < count; i++) out[i] = get(headerLen + i * width, false);
      data = out;
    }
  }
  return { dtype, shape, data };
}

/** `parseIdx` after gunzipping when the bytes are gzip (DecompressionStream; Node ≥ 18 and browsers). */
export async function readIdx(bytes: Uint8Array, name = 'IDX data'): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzipAsync(bytes, name, 'readIdx') : bytes, name);
}

/**
 * An MNIST-style dataset from an images IDX array ([N, H, W] bytes) and a labels
 * IDX array ([N] integers). `names` label the two files in error messages.
 */
export function idxDataset(images: IdxArray, labels: IdxArray, names: [string, string] = ['images', 'labels'], classes?: readonly string[]): ImageArrayDataset {
  const op = 'idxDataset';
  if (images.shape.length !== 3) throw new SimdnnError(op, `${names[0]}: images must be [N, height, width], got [${images.shape.join(',')}]`);
  if (images.dtype !== 'uint8' && images.dtype !== 'float32') throw new SimdnnError(op, `${names[0]}: images must be uint8 or float32, got ${images.dtype}`);
  if (labels.shape.length !== 1) throw new SimdnnError(op, `${names[1]}: labels must be [N], got [${labels.shape.join(',')}]`);
  if (labels.dtype === 'float32' || labels.dtype === 'float64') throw new SimdnnError(op, `${names[1]}: labels must be integers, got ${labels.dtype}`);
  if (labels.shape[0] !== images.shape[0]) throw new SimdnnError(op, `${names[1]} has ${labels.shape[0]} labels but ${names[0]} has ${images.shape[0]} images`);
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] < 0) throw new SimdnnError(op, `${names[1]}: label ${i} is negative (${labels.data[i]})`);
    if (classes && labels.data[i] >= classes.length) throw new SimdnnError(op, `${names[1]}: label ${i} is ${labels.data[i]}, expected < ${classes.length}`);
  }
  const [, h, w] = images.shape;
  return new ImageArrayDataset({ pixels: images.data as Uint8Array | Float32Array, labels: labels.data, channels: 1, height: h, width: w, classes });
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
}
