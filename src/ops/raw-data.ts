import { Tensor } from '../tensor.js';
import { empty } from './basic.js';

/**
 * The element bits of a tensor, whatever its dtype: data movement (permute,
 * slice, cat, gather, …) copies elements without reading them as numbers, so
 * a NaN payload, an int32 label or a bool byte travels unchanged.
 */
export type Words = Int32Array | Uint8Array;

/** A live view of `t`'s elements as raw words of its element size (do not keep it across calls). */
export function wordsOf(t: Tensor, op: string): Words {
  const p = t.ptr(op);
  const heap = t.storage.heapOf(op);
  return t.dtype === 'bool' ? heap.u8.subarray(p, p + t.size) : heap.i32.subarray(p >>> 2, (p >>> 2) + t.size);
}

/** A new, uninitialised tensor of `shape` with the dtype of `like`. */
export function emptyLike(like: Tensor, shape: number[], op: string): Tensor {
  return empty(shape, op, like.dtype);
}

/** The word that stores `value` in a tensor like `t`: float bits for float32, truncated for int32, 0/1 for bool (as PyTorch casts a fill value). */
export function fillWord(t: Tensor, value: number): number {
  if (t.dtype === 'int32') return Math.trunc(value) | 0;
  if (t.dtype === 'bool') return value !== 0 ? 1 : 0;
  f32Box[0] = value;
  return i32Box[0];
}
const f32Box = new Float32Array(1);
const i32Box = new Int32Array(f32Box.buffer);

/** A live view of `t`'s elements as numbers it can add (float32 values, or int32), for scatterAdd. */
export function numbersOf(t: Tensor, op: string): Float32Array | Int32Array {
  return t.dtype === 'int32' ? t.viewInt32(op) : t.view(op);
}

/** A copy of x with its own memory and dtype, outside autograd. */
export function copyLike(x: Tensor, op: string): Tensor {
  const out = emptyLike(x, x.shape.slice(), op);
  wordsOf(out, op).set(wordsOf(x, op));
  return out;
}
