// ONNX constant padding on the core's F.pad, after the output-size guard.
import { F, type Tensor } from './core.js';
import { checkOutputSize } from './broadcast.js';

/**
 * Pads every dim d of x by begin[d] before and end[d] after (negative values crop,
 * as in both ONNX and F.pad). ONNX lists all begins then all ends, first dim first;
 * F.pad takes [lo, hi] pairs from the last dim back.
 */
export function padConstant(x: Tensor, begin: readonly number[], end: readonly number[], value: number): Tensor {
  checkOutputSize('pad', x.shape.map((d, i) => d + begin[i] + end[i]));
  const pads: number[] = [];
  for (let d = x.shape.length - 1; d >= 0; d--) pads.push(begin[d], end[d]);
  return F.pad(x, pads, { value });
}
