// TensorProto -> numbers, for untrusted files: every size is checked against the
// bytes actually present before anything is allocated, so a file can never make
// us allocate more than it holds nor read past its end.
import { SimdnnError } from '../errors.js';
import { makeConst, type Const, type ConstType } from './constant.js';
import { onnx, toInt, toIntSaturating, type TensorProto } from './proto.js';

const T = onnx.TensorProto.DataType;
/** Element byte sizes of the types we read, and what they become. */
const TYPES: Record<number, { bytes: number; type: ConstType; name: string }> = {
  [T.FLOAT]: { bytes: 4, type: 'float', name: 'float32' },
  [T.DOUBLE]: { bytes: 8, type: 'float', name: 'float64' },
  [T.INT64]: { bytes: 8, type: 'int', name: 'int64' },
  [T.INT32]: { bytes: 4, type: 'int', name: 'int32' },
  [T.INT8]: { bytes: 1, type: 'int', name: 'int8' },
  [T.UINT8]: { bytes: 1, type: 'int', name: 'uint8' },
  [T.BOOL]: { bytes: 1, type: 'bool', name: 'bool' },
};
/** 2^30 elements (4 GiB of float32) is beyond what one wasm memory holds anyway. */
const MAX_ELEMENTS = 2 ** 30;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export type ExternalData = Record<string, Uint8Array>;

export interface DecodedTensor {
  dims: number[];
  type: ConstType;
  /** float32 data (for float32 tensors: the parameters), else null */
  f32: Float32Array | null;
  /** the values as a constant (ints, bools, and float32 too, for folding); built lazily */
  toConst(): Const;
}

/** Dims from a TensorProto/ValueInfo: non-negative safe integers with a product ≤ MAX_ELEMENTS. */
export function checkedDims(dims: readonly unknown[], where: string): { dims: number[]; size: number } {
  const out: number[] = [];
  let size = 1;
  for (const d of dims) {
    const n = toInt(d as number, `${where}: a dimension`);
    if (n < 0) throw new SimdnnError('loadOnnx', `${where}: dimension ${n} is negative`);
    out.push(n);
    size *= n;
    if (size > MAX_ELEMENTS) throw new SimdnnError('loadOnnx', `${where}: dims [${dims.map(String).join(',')}] describe more than 2^30 elements`);
  }
  return { dims: out, size };
}

function externalBytes(t: TensorProto, where: string, ext: ExternalData | undefined): Uint8Array {
  const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  if (!location) throw new SimdnnError('loadOnnx', `${where}: external data without a 'location'`);
  const file = ext?.[location];
  if (!(file instanceof Uint8Array)) {
    throw new SimdnnError('loadOnnx', `${where}: its data is in the external file '${location}'; pass it as loadOnnx(bytes, { externalData: { '${location}': bytesOfThatFile } })`);
  }
  const offset = kv.has('offset') ? Number(kv.get('offset')) : 0;
  const length = kv.has('length') ? Number(kv.get('length')) : file.length - offset;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.length) {
    throw new SimdnnError('loadOnnx', `${where}: external data offset ${kv.get('offset') ?? 0} length ${kv.get('length') ?? '(rest)'} lies outside '${location}' (${file.length} bytes)`);
  }
  return file.subarray(offset, offset + length);
}

/** Decodes one tensor, checking that the data present matches its dims exactly. */
export function decodeTensor(t: TensorProto, where: string, ext?: ExternalData): DecodedTensor {
  const dataType = t.dataType ?? 0;
  const info = TYPES[dataType];
  if (!info) {
    const name = onnx.TensorProto.DataType[dataType] ?? String(dataType);
    throw new SimdnnError('loadOnnx', `${where}: data type ${name} is not supported (supported: float32, float64, int64, int32, int8, uint8, bool)`);
  }
  const { dims, size } = checkedDims(t.dims ?? [], where);
  let raw: Uint8Array | null = null;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) raw = externalBytes(t, where, ext);
  else if (t.rawData && t.rawData.length > 0) raw = t.rawData;

  let f32: Float32Array | null = null;
  let values: ArrayLike<number> | null = null;
  if (raw !== null) {
    if (raw.length !== size * info.bytes) {
      throw new SimdnnError('loadOnnx', `${where}: dims [${dims.join(',')}] of ${info.name} need ${size * info.bytes} bytes, the file has ${raw.length}`);
    }
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (dataType === T.FLOAT) {
      f32 = new Float32Array(size);
      // ONNX stores little-endian; on a little-endian host (every wasm one) that is a byte copy.
      if (LITTLE_ENDIAN) new Uint8Array(f32.buffer).set(raw);
      else for (let i = 0; i < size; i++) f32[i] = dv.getFloat32(4 * i, true);
    } else {
      const v = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        v[i] = dataType === T.DOUBLE ? dv.getFloat64(8 * i, true)
          : dataType === T.INT64 ? toIntSaturating(Number(dv.getBigInt64(8 * i, true)))
          : dataType === T.INT32 ? dv.getInt32(4 * i, true)
          : dataType === T.INT8 ? dv.getInt8(i) : dv.getUint8(i);
      }
      values = v;
    }
  } else {
    // Typed fields: float_data (FLOAT), int32_data (INT32, INT8, UINT8, BOOL), int64_data, double_data.
    const field = dataType === T.FLOAT ? t.floatData : dataType === T.DOUBLE ? t.doubleData : dataType === T.INT64 ? t.int64Data : t.int32Data;
    const n = field?.length ?? 0;
    if (n !== size) throw new SimdnnError('loadOnnx', `${where}: dims [${dims.join(',')}] hold ${size} values, the file has ${n}`);
    if (dataType === T.FLOAT) f32 = Float32Array.from(field as number[]);
    else if (dataType === T.DOUBLE) values = Float64Array.from(field as number[]);
    else values = Float64Array.from(field as unknown[], (x) => toIntSaturating(x as number));
  }
  return {
    dims,
    type: info.type,
    f32,
    toConst: () => makeConst(dims, f32 ?? values!, info.type),
  };
}
