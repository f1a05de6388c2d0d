// Conversions between the graph's two kinds of values (see constant.ts).
import { SimdnnError } from '../errors.js';
import { sn, Tensor } from './core.js';
import { isConst, type Const } from './constant.js';
import type { Val } from './node-context.js';

/** A value as a tensor: constants become new float tensors (not trainable). */
export function toTensor(v: Val): Tensor {
  return isConst(v) ? sn.tensor(Float32Array.from(v.data), v.dims.slice()) : v;
}

/** A one-element value as a number (Clip bounds, Dropout ratio, Pad value). */
export function scalarOf(v: Val | null, dflt: number, what: string): number {
  if (v === null || v === undefined) return dflt;
  const data = isConst(v) ? v.data : (v as Tensor).toFloat32Array();
  if (data.length !== 1) throw new SimdnnError('onnx', `${what} must hold one value, got ${data.length}`);
  return data[0];
}

export function shapeOf(v: Val): number[] {
  return isConst(v) ? v.dims : (v as Tensor).shape.slice();
}

export function need<T extends Val>(v: T | null, what: string): T {
  if (v === null || v === undefined) throw new SimdnnError('onnx', `${what} is required`);
  return v;
}

export type { Const };
