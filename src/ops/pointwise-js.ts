import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { empty } from './basic.js';

/**
 * An element-wise float op computed in JavaScript: y = f(x), dx = g·df(x).
 * For activations with no wasm kernel (leaky ReLU, GELU's erf); one pass in a
 * fixed order, so the bits do not depend on the thread count. Views are taken
 * after each allocation (an allocation may grow, and so detach, wasm memory).
 */
export function pointwiseJs(op: string, x: Tensor, f: (v: number) => number, df: (v: number) => number): Tensor {
  floatTensor(x, op, 'input');
  const out = empty(x.shape, op);
  const xv = x.view(op);
  const ov = out.view(op);
  for (let i = 0; i < xv.length; i++) ov[i] = f(xv[i]);
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    const gv = gx.view(op);
    const gg = g.view(op);
    const xs = x.view(op);
    for (let i = 0; i < xs.length; i++) gv[i] = gg[i] * df(xs[i]);
    return [gx];
  });
}
