import { kernels } from '../runtime/kernel-calls.js';
import { requireFloat } from './args.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { empty, full } from './basic.js';
import { EPI_BIAS_COL, EPI_NONE, gemm } from './gemm.js';
import { describe } from './matmul.js';

/** Below this many weights the GEMV runs on one thread (a dispatch costs more). */
const GEMV_PARALLEL_MIN = 1 << 16;

/**
 * y = x·Wᵀ + b for x [*, in], W [out, in], b [out] | null (PyTorch's layout).
 * The bias is added in the GEMM's epilogue.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  const op = 'linear';
  check(x instanceof Tensor, op, `input must be a Tensor, got ${describe(x)}`);
  check(w instanceof Tensor, op, `weight must be a Tensor, got ${describe(w)}`);
  check(b === null || b === undefined || b instanceof Tensor, op, `bias must be a Tensor or null, got ${describe(b)}`);
  requireFloat(x, op, 'input');
  requireFloat(w, op, 'weight');
  if (b) requireFloat(b, op, 'bias');
  check(x.shape.length >= 1, op, () => `input must have at least 1 dimension, got ${fmtShape(x.shape)}`);
  check(w.shape.length === 2, op, () => `weight must be 2-D [out, in], got ${fmtShape(w.shape)}`);
  const inF = x.shape[x.shape.length - 1];
  const [outF, inW] = w.shape;
  check(inF === inW, op, () => `input features ${inF} (input ${fmtShape(x.shape)}) differ from weight ${fmtShape(w.shape)}`);
  if (b) check(b.shape.length === 1 && b.shape[0] === outF, op, () => `bias must be [${outF}], got ${fmtShape(b.shape)} (weight ${fmtShape(w.shape)})`);
  const rows = x.size / inF || 0;
  const outShape = [...x.shape.slice(0, -1), outF];
  const out = empty(outShape, op);
  if (rows === 1) {
    // One row (batch-1 inference): stream W once instead of packing it for a single use.
    kernels.gemvRows({
      w: w.ptr(op), x: x.ptr(op), b: b ? b.ptr(op) : 0, y: out.ptr(), N: outF, K: inF,
    }, outF * inF < GEMV_PARALLEL_MIN ? 1 : undefined);
  } else {
    gemm({
      transB: true, M: rows, N: outF, K: inF, a: x.ptr(op), lda: inF, b: w.ptr(op), ldb: inF, c: out.ptr(), ldc: outF,
      bias: b ? b.ptr(op) : 0, epilogue: b ? EPI_BIAS_COL : EPI_NONE,
    });
  }
  const inputs = b ? [x, w, b] : [x, w];
  traceOp(op, [x, w, b], out);
  return record(op, out, inputs, (g) => {
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      gx = empty(x.shape, op); // dx = g·W
      gemm({ M: rows, N: inF, K: outF, a: g.ptr(op), lda: outF, b: w.ptr(op), ldb: inF, c: gx.ptr(), ldc: inF });
    }
    if (w.requiresGrad) {
      gw = empty(w.shape, op); // dW = gᵀ·x, summed over rows in order
      gemm({ transA: true, M: outF, N: inF, K: rows, a: g.ptr(op), lda: outF, b: x.ptr(op), ldb: inF, c: gw.ptr(), ldc: inF });
    }
    if (b && b.requiresGrad) {
      gb = empty([outF], op); // db = 1ᵀ·g
      const ones = full([rows], 1);
      gemm({ M: 1, N: outF, K: rows, a: ones.ptr(), lda: rows, b: g.ptr(op), ldb: outF, c: gb.ptr(), ldc: outF });
      ones.dispose();
    }
    return b ? [gx, gw, gb] : [gx, gw];
  });
}
