import { kernels } from '../runtime/kernel-calls.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { shapeSize, type Tensor } from '../tensor.js';
import { floatTensor, normDim } from './args.js';
import { empty } from './basic.js';
import { elementwiseThreads } from './launch.js';

/** [outer, D, inner] view of x around `dim`. */
function around(x: Tensor, dim: number): [number, number, number] {
  const s = x.shape.length === 0 ? [1] : x.shape;
  return [shapeSize(s.slice(0, dim)), s[dim], shapeSize(s.slice(dim + 1))];
}

function softmaxOp(op: string, isLog: number, x: Tensor, dim: number): Tensor {
  floatTensor(x, op, 'input');
  const d = normDim(dim, x.shape.length, op, x.shape);
  const [outer, D, inner] = around(x, d);
  const out = empty(x.shape, op);
  kernels.softmaxForward({ x: x.ptr(op), out: out.ptr(), outer, D, inner, isLog }, elementwiseThreads(x.size));
  traceOp(op, [x], out, { dim: d });
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    kernels.softmaxBackward({ y: out.ptr(op), g: g.ptr(op), gx: gx.ptr(), outer, D, inner, isLog }, elementwiseThreads(x.size));
    return [gx];
  });
}

/** exp(x - max) / Σ exp(x - max) along `dim` (negative dims count from the end). */
export const softmax = (x: Tensor, dim: number): Tensor => softmaxOp('softmax', 0, x, dim);
/** (x - max) - log Σ exp(x - max) along `dim`: stable for large logits. */
export const logSoftmax = (x: Tensor, dim: number): Tensor => softmaxOp('logSoftmax', 1, x, dim);
