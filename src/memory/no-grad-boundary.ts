import { check } from '../errors.js';
import { noGrad as noGradInternal } from '../autograd.js';
import { openForward } from './forward-scope.js';
import { stepBoundary } from './steps.js';

let depth = 0;

/**
 * The public `sn.noGrad(fn)`: runs `fn` without recording gradients (PyTorch's
 * `torch.no_grad`) and returns its result. Entering the outermost call,
 * outside any module forward, is a step boundary (docs/memory.md): each
 * iteration of an inference loop is a step. The boundary is at entry, not at
 * return, so a result stays valid through the next noGrad call:
 * `a = noGrad(f); b = noGrad(g); compare(a, b)` works. The library's own uses
 * (summary, foldBatchNorm) call autograd's noGrad, which is no boundary.
 */
export function noGrad<T>(fn: () => T): T {
  check(typeof fn === 'function', 'noGrad', `expects a function to run, got ${typeof fn}`);
  if (depth === 0 && openForward() === null) stepBoundary('sn.noGrad');
  depth++;
  try {
    return noGradInternal(fn);
  } finally {
    depth--;
  }
}
