import { kernels } from '../runtime/kernel-calls.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check } from '../errors.js';
import { nextSeed } from '../random.js';
import { Tensor } from '../tensor.js';
import { boolOption, checkOptions, floatTensor, numberOption } from './args.js';
import { empty } from './basic.js';
import { elementwiseThreads } from './launch.js';

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  seed?: number;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1-p)
 * (inverted dropout, as PyTorch). The mask is a pure function of (seed,
 * element index) computed in wasm, so Node and browsers drop the same
 * elements; without a seed one is drawn from `nextSeed()`. The backward pass
 * recomputes the mask instead of storing it. In evaluation (training: false)
 * or with p = 0 it is the identity (a view sharing x's memory).
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const op = 'dropout';
  floatTensor(x, op, 'input');
  const o = checkOptions(opts, op, ['p', 'training', 'seed']);
  const p = numberOption(o.p, 0.5, op, 'p', 0, 1);
  const training = boolOption(o.training, true, op, 'training');
  if (o.seed !== undefined) check(Number.isSafeInteger(o.seed), op, () => `seed must be an integer, got ${String(o.seed)}`);
  if (!training || p === 0) {
    const out = new Tensor(x.shape, x.storage);
    traceOp(op, [x], out, { p, training });
    return record(op, out, [x], (g) => [g]);
  }
  const seed = (o.seed === undefined ? nextSeed() : (o.seed as number)) >>> 0;
  const threshold = Math.round(p * 16777216); // keep when hash24 >= p·2^24
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const out = empty(x.shape, op);
  kernels.dropout({ x: x.ptr(op), out: out.ptr(), n: x.size, seed, threshold, scale }, elementwiseThreads(x.size));
  traceOp(op, [x], out, { p, training });
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    kernels.dropout({ x: g.ptr(op), out: gx.ptr(), n: x.size, seed, threshold, scale }, elementwiseThreads(x.size));
    return [gx];
  });
}
