import { check, fmtShape, SimdnnError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Class labels (Int32Array | number[] | int32 Tensor [N]) as an Int32Array of n entries in [0, classes). */
export function labelArray(labels: unknown, n: number, classes: number, op: string, arg = 'labels'): Int32Array {
  let out: Int32Array;
  if (labels instanceof Tensor) {
    check(labels.dtype === 'int32' && labels.shape.length === 1, op, () => `${arg} must be an int32 tensor [N], got ${labels.dtype} ${fmtShape(labels.shape)}`);
    out = labels.toInt32Array();
  } else {
    check(labels instanceof Int32Array || Array.isArray(labels), op, `${arg} must be class indices (Int32Array | number[] | int32 Tensor [N])`);
    out = Int32Array.from(labels as ArrayLike<number>);
    for (let i = 0; i < out.length; i++) {
      const v = (labels as ArrayLike<number>)[i];
      if (!Number.isInteger(v)) throw new SimdnnError(op, `${arg}[${i}] = ${String(v)} is not an integer class index`);
    }
  }
  check(out.length === n, op, () => `${arg} has ${out.length} entries for ${n} rows`);
  for (let i = 0; i < n; i++) if (out[i] < 0 || out[i] >= classes) throw new SimdnnError(op, `${arg}[${i}] = ${out[i]} is not a class index in [0, ${classes})`);
  return out;
}

/** A float32 logits tensor [N, C]. */
export function logitsOf(logits: unknown, op: string): Tensor {
  check(logits instanceof Tensor && !logits.isDisposed, op, 'logits must be a live Tensor [N, C]');
  check(logits.dtype === 'float32' && logits.shape.length === 2 && logits.shape[1] > 0, op, () => `logits must be a float32 tensor [N, C], got ${logits.dtype} ${fmtShape(logits.shape)}`);
  return logits;
}
