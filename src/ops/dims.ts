import { check, fmtShape } from '../errors.js';
import { shapeSize, type Tensor } from '../tensor.js';
import { liveTensor, normDim } from './args.js';
import { reshape } from './basic.js';

/**
 * Shape-only ops: the data stays where it is and the result shares it (a
 * view, as in PyTorch), recorded as a reshape for autograd.
 */

/** Removes size-1 dims: all of them, or only `dim` (left alone when its size is not 1, as PyTorch). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const op = 'squeeze';
  liveTensor(x, op, 'input');
  if (dim === undefined) return reshape(x, x.shape.filter((n) => n !== 1));
  const d = normDim(dim, x.shape.length, op, x.shape);
  if (x.shape.length === 0 || x.shape[d] !== 1) return reshape(x, x.shape.slice());
  return reshape(x, x.shape.filter((_, k) => k !== d));
}

/** Inserts a size-1 dim at `dim` (in [-rank-1, rank]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const op = 'unsqueeze';
  liveTensor(x, op, 'input');
  const d = normDim(dim, x.shape.length + 1, op, x.shape);
  const s = x.shape.slice();
  s.splice(d, 0, 1);
  return reshape(x, s);
}

/** Merges dims startDim..endDim (inclusive) into one; a 0-d tensor becomes [1], as PyTorch. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const op = 'flatten';
  liveTensor(x, op, 'input');
  const r = x.shape.length;
  const a = normDim(startDim, r, op, x.shape, 'startDim');
  const b = normDim(endDim, r, op, x.shape, 'endDim');
  check(a <= b, op, () => `startDim ${startDim} comes after endDim ${endDim} for input ${fmtShape(x.shape)}`);
  if (r === 0) return reshape(x, [1]);
  return reshape(x, [...x.shape.slice(0, a), shapeSize(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)]);
}
