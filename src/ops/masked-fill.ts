import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, type Tensor } from '../tensor.js';
import { liveTensor } from './args.js';
import { tryBroadcastShapes as broadcastShapes, broadcastStrides } from './broadcast.js';
import { emptyLike, fillWord, wordsOf } from './raw-data.js';
import { contiguousStrides, stridedCopy } from './strided.js';

/** Whether mask element k (read through broadcast strides) is set; mask words are 0 or 1. */
function expandedMask(mask: Tensor, shape: number[], op: string): Uint8Array {
  const flags = new Int32Array(shapeSize(shape));
  stridedCopy(shape, wordsOf(mask, op), 0, broadcastStrides(mask.shape, shape), flags, 0, contiguousStrides(shape));
  return Uint8Array.from(flags, (v) => (v !== 0 ? 1 : 0));
}

/**
 * A copy of x with `value` where the bool `mask` (broadcast to x's shape) is
 * true. The gradient flows to x where the mask is false.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const op = 'maskedFill';
  liveTensor(x, op, 'input');
  liveTensor(mask, op, 'mask');
  const mt = mask.dtype;
  check(mt === 'bool', op, () => `mask must be a bool tensor, got a ${mt} tensor ${fmtShape(mask.shape)}`);
  check(typeof value === 'number', op, () => `value must be a number, got ${typeof value}`);
  const b = broadcastShapes(x.shape, mask.shape);
  check(b !== null && b.length === x.shape.length && b.every((n, k) => n === x.shape[k]), op,
    () => `mask ${fmtShape(mask.shape)} does not broadcast to input ${fmtShape(x.shape)}`);
  const on = expandedMask(mask, x.shape.slice(), op);
  const out = emptyLike(x, x.shape.slice(), op);
  const dst = wordsOf(out, op);
  dst.set(wordsOf(x, op));
  const word = fillWord(x, value);
  for (let i = 0; i < on.length; i++) if (on[i]) dst[i] = word;
  return record(op, out, [x], (g) => {
    const gx = emptyLike(g, g.shape.slice(), op);
    const gw = wordsOf(gx, op);
    gw.set(wordsOf(g, op));
    for (let i = 0; i < on.length; i++) if (on[i]) gw[i] = 0;
    return [gx];
  });
}
