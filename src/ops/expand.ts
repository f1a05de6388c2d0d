import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { sameShape, type Tensor } from '../tensor.js';
import { liveTensor } from './args.js';
import { copyOf, zeros } from './basic.js';
import { emptyLike, wordsOf } from './raw-data.js';
import { contiguousStrides, stridedAdd, stridedCopy } from './strided.js';
import { broadcastStrides } from './broadcast.js';

/** Sums `g` over the dims along which a tensor of `shape` was broadcast to g's shape (gradient of a broadcast). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return copyOf(g, 'sumTo');
  const out = zeros(shape.slice());
  const gv = g.view('sumTo');
  stridedAdd(g.shape, gv, 0, contiguousStrides(g.shape), out.view('sumTo'), 0, broadcastStrides(shape, g.shape));
  return out;
}

/**
 * Repeats size-1 dims (and adds leading dims) to reach `shape`; -1 keeps a
 * size. A copy here (tensors are contiguous); the gradient sums back.
 */
export function expand(x: Tensor, shape: number[]): Tensor {
  const op = 'expand';
  liveTensor(x, op, 'input');
  check(Array.isArray(shape), op, () => `shape must be an array of sizes, got ${String(shape)}`);
  const r = x.shape.length;
  const off = shape.length - r;
  check(off >= 0, op, () => `shape ${fmtShape(shape)} has fewer dims than input ${fmtShape(x.shape)}`);
  const outShape = shape.map((n, k) => {
    const have = k >= off ? x.shape[k - off] : undefined;
    check(Number.isInteger(n) && (n >= 0 || (n === -1 && have !== undefined)), op,
      () => `size ${n} at dim ${k} of shape ${fmtShape(shape)} is not valid (-1 only for an existing dim of input ${fmtShape(x.shape)})`);
    if (n === -1) return have!;
    check(have === undefined || have === n || have === 1, op,
      () => `cannot expand input ${fmtShape(x.shape)} to ${fmtShape(shape)}: dim ${k} has size ${have}, not 1 or ${n}`);
    return n;
  });
  const out = emptyLike(x, outShape, op);
  stridedCopy(outShape, wordsOf(x, op), 0, broadcastStrides(x.shape, outShape), wordsOf(out, op), 0, contiguousStrides(outShape));
  return record(op, out, [x], (g) => [sumTo(g, x.shape)]);
}
