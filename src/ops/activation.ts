import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import type { Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { empty } from './basic.js';
import { launchElementwise } from './launch.js';

/**
 * An element-wise activation: `forward` kernel x -> out, `backward` kernel
 * (saved, g) -> gx where saved is the input (relu) or the output (tanh, sigmoid).
 */
function activation(op: string, forward: string, backward: string, savesOutput: boolean, x: Tensor): Tensor {
  floatTensor(x, op, 'input');
  const out = empty(x.shape, op);
  launchElementwise(forward, [x.ptr(op), out.ptr(), x.size], x.size);
  traceOp(op, [x], out);
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    const saved = savesOutput ? out : x;
    launchElementwise(backward, [saved.ptr(op), g.ptr(op), gx.ptr(), x.size], x.size);
    return [gx];
  });
}

/** max(x, 0); the gradient at exactly 0 is 0 (PyTorch's convention). */
export const relu = (x: Tensor): Tensor => activation('relu', 'reluForward', 'reluBackward', false, x);
/** tanh, computed in wasm (same bits in every engine). */
export const tanh = (x: Tensor): Tensor => activation('tanh', 'tanhForward', 'tanhBackward', true, x);
/** 1 / (1 + e^-x), computed in wasm. */
export const sigmoid = (x: Tensor): Tensor => activation('sigmoid', 'sigmoidForward', 'sigmoidBackward', true, x);
