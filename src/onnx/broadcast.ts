// numpy/ONNX broadcasting in JS for the constants the loader folds (shape
// arithmetic, no tensors), and the output-size guard every op that can grow its
// input runs before asking the core for memory.
import { fmtShape, SimdnnError } from '../errors.js';

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** numpy/ONNX multidirectional broadcasting of two shapes, or null. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * The most elements an op here may produce (1 GiB of float32): a hostile file's pads or
 * broadcasts could otherwise ask for far more memory than the file describes.
 */
export const MAX_OUTPUT_ELEMENTS = 2 ** 28;
export function checkOutputSize(op: string, shape: readonly number[]): void {
  if (sizeOf(shape) > MAX_OUTPUT_ELEMENTS) throw new SimdnnError(op, `the result ${fmtShape(shape)} would have more than 2^28 elements`);
}

/** For each element of `out`, the offset of the element of `shape` broadcast onto it. */
export function broadcastOffsets(out: readonly number[], shape: readonly number[]): Int32Array {
  checkOutputSize('broadcast', out);
  const n = sizeOf(out);
  const idx = new Int32Array(n);
  const r = out.length;
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const k = r - shape.length + i;
    strides[k] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  const pos = new Array<number>(r).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let k = r - 1; k >= 0; k--) {
      pos[k]++;
      off += strides[k];
      if (pos[k] < out[k]) break;
      off -= strides[k] * pos[k];
      pos[k] = 0;
    }
  }
  return idx;
}
