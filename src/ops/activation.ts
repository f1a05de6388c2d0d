import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import type { Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { empty } from './basic.js';
import { kernels } from '../runtime/kernel-calls.js';
import { elementwiseThreads } from './launch.js';

/** Calls one activation kernel over `n` elements at the given addresses. */
type Launch = (ptrs: number[], n: number) => void;

/**
 * An element-wise activation: `forward` kernel x -> out, `backward` kernel
 * (saved, g) -> gx where saved is the input (relu) or the output (tanh, sigmoid).
 */
function activation(op: string, forward: Launch, backward: Launch, savesOutput: boolean, x: Tensor): Tensor {
  floatTensor(x, op, 'input');
  const out = empty(x.shape, op);
  forward([x.ptr(op), out.ptr()], x.size);
  traceOp(op, [x], out);
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    const saved = savesOutput ? out : x;
    backward([saved.ptr(op), g.ptr(op), gx.ptr()], x.size);
    return [gx];
  });
}

const reluForward: Launch = ([x, out], n) => kernels.reluForward({ x, out, n }, elementwiseThreads(n));
const reluBackward: Launch = ([x, g, gx], n) => kernels.reluBackward({ x, g, gx, n }, elementwiseThreads(n));
const tanhForward: Launch = ([x, out], n) => kernels.tanhForward({ x, out, n }, elementwiseThreads(n));
const tanhBackward: Launch = ([y, g, gx], n) => kernels.tanhBackward({ y, g, gx, n }, elementwiseThreads(n));
const sigmoidForward: Launch = ([x, out], n) => kernels.sigmoidForward({ x, out, n }, elementwiseThreads(n));
const sigmoidBackward: Launch = ([y, g, gx], n) => kernels.sigmoidBackward({ y, g, gx, n }, elementwiseThreads(n));

/** max(x, 0); the gradient at exactly 0 is 0 (PyTorch's convention). */
export const relu = (x: Tensor): Tensor => activation('relu', reluForward, reluBackward, false, x);
/** tanh, computed in wasm (same bits in every engine). */
export const tanh = (x: Tensor): Tensor => activation('tanh', tanhForward, tanhBackward, true, x);
/** 1 / (1 + e^-x), computed in wasm. */
export const sigmoid = (x: Tensor): Tensor => activation('sigmoid', sigmoidForward, sigmoidBackward, true, x);
