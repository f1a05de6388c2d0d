import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { empty } from './basic.js';
import { kernels } from '../runtime/kernel-calls.js';
import { elementwiseThreads } from './launch.js';
import { unaryFloat } from './unary.js';
import { traceOp } from '../trace.js';

/**
 * min(max(x, lo), hi) with PyTorch's hardtanh gradient: g strictly inside (lo, hi),
 * 0 at and beyond the bounds (sn.clamp follows torch.clamp, whose gradient passes
 * at the bounds). ONNX Clip is how exporters write ReLU6 and Hardtanh, so a model
 * loaded by simdnn/onnx gets this one (MobileNetV2 runs it after 35 of its 52
 * convolutions). Both passes are wasm element-wise kernels (the forward is clamp's):
 * the same bits for any thread count.
 */
export function hardtanh(x: Tensor, lo: number, hi: number): Tensor {
  const op = 'hardtanh';
  floatTensor(x, op, 'input');
  const out = unaryFloat('clamp', x, op, lo, hi);
  traceOp(op, [x], out, { min: lo, max: hi });
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    if (x.size > 0) kernels.hardtanhBackward({ x: x.ptr(op), g: g.ptr(op), gx: gx.ptr(), n: x.size, lo, hi }, elementwiseThreads(x.size));
    return [gx];
  });
}
