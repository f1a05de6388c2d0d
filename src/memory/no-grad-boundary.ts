import { noGrad as noGradInternal } from '../autograd.js';
import { openForward } from './forward-scope.js';
import { stepBoundary } from './steps.js';

let depth = 0;

/**
 * The public `sn.noGrad(fn)`: runs `fn` without recording gradients (PyTorch's
 * `torch.no_grad`) and returns its result. When the outermost call returns,
 * outside any module forward, it is a step boundary (docs/memory.md): each
 * iteration of an inference loop is a step. The library's own uses (summary,
 * foldBatchNorm) call autograd's noGrad, which is no boundary.
 */
export function noGrad<T>(fn: () => T): T {
  depth++;
  let out: T;
  try {
    out = noGradInternal(fn);
  } finally {
    depth--;
  }
  if (depth === 0 && openForward() === null) stepBoundary('sn.noGrad');
  return out;
}
