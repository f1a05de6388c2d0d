import { kernels } from '../runtime/kernel-calls.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, floatTensor, numberOption } from './args.js';
import { empty } from './basic.js';
import { elementwiseThreads } from './launch.js';

export interface LocalResponseNormOptions {
  size: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalisation across channels, PyTorch's convention:
 * y = x / (k + alpha/size · Σ x²)^beta over a window of `size` channels
 * (⌊size/2⌋ before, ⌊(size-1)/2⌋ after, zero-padded). alpha is divided by
 * size, unlike the AlexNet paper: paper α = 1e-4 at n = 5 is alpha = 5e-4 here.
 */
export function localResponseNorm(x: Tensor, opts: LocalResponseNormOptions): Tensor {
  const op = 'localResponseNorm';
  floatTensor(x, op, 'input');
  check(x.shape.length === 4, op, () => `input must be 4-D [N,C,H,W], got ${fmtShape(x.shape)}`);
  check(opts !== undefined, op, 'options with size are required, e.g. { size: 5 }');
  const o = checkOptions(opts, op, ['size', 'alpha', 'beta', 'k']);
  check(typeof o.size === 'number' && Number.isInteger(o.size) && o.size >= 1, op, () => `size must be a positive integer, got ${String(o.size)}`);
  const size = o.size as number;
  const alpha = numberOption(o.alpha, 1e-4, op, 'alpha');
  const beta = numberOption(o.beta, 0.75, op, 'beta');
  const k = numberOption(o.k, 1, op, 'k');
  const [N, C, H, W] = x.shape;
  const S = H * W;
  const out = empty(x.shape, op);
  kernels.lrnForward({ x: x.ptr(op), out: out.ptr(), N, C, S, size, alpha, beta, k }, elementwiseThreads(x.size * size));
  traceOp(op, [x], out, { size, alpha, beta, k });
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    const scratch = empty(x.shape, op);
    // Two calls: pass 2 reads pass 1's results from neighbouring channels (other threads' rows).
    kernels.lrnBackward1({
      x: x.ptr(op), g: g.ptr(op), gx: gx.ptr(), scratch: scratch.ptr(), N, C, S, size, alpha, beta, k,
    }, elementwiseThreads(x.size * size));
    kernels.lrnBackward2({ x: x.ptr(op), gx: gx.ptr(), scratch: scratch.ptr(), N, C, S, size, alpha, beta }, elementwiseThreads(x.size * size));
    scratch.dispose();
    return [gx];
  });
}
