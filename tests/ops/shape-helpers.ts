import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';

/** An int32 tensor (index arguments). */
export function intTensor(data: number[], shape: number[]): Tensor {
  return sn.tensor(Int32Array.from(data), shape, { dtype: 'int32' });
}

/** A bool tensor (masks) from 0/1 values. */
export function boolTensor(data: number[], shape: number[]): Tensor {
  return sn.tensor(Int32Array.from(data), shape, { dtype: 'bool' });
}
