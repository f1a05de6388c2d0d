import { kernels } from '../runtime/kernel-calls.js';
import { freeSaved, record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { boolOption, checkOptions, floatTensor, requireFloat, numberOption } from './args.js';
import { empty } from './basic.js';
import { elementwiseThreads } from './launch.js';
import { describe } from './matmul.js';

export interface BatchNormOptions {
  training?: boolean;
  momentum?: number;
  eps?: number;
}

function channelVector(t: unknown, C: number, op: string, arg: string, x: Tensor): Tensor | null {
  if (t === null || t === undefined) return null;
  check(t instanceof Tensor, op, () => `${arg} must be a Tensor or null, got ${describe(t)}`);
  requireFloat(t, op, arg);
  check(t.shape.length === 1 && t.shape[0] === C, op, () => `${arg} must be [${C}] for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
  t.ptr(op);
  return t;
}

/**
 * Batch normalisation per channel of x [N, C, ...] (NCHW images, or [N, C]).
 * training: normalises with the batch mean and biased variance and updates
 * runningMean/runningVar in place (when given) with
 * running = (1 - momentum)·running + momentum·batch, using the unbiased
 * variance; evaluation: normalises with the running statistics.
 * weight/bias may be null. Gradients flow to x, weight and bias; in training
 * through the batch statistics. Statistics are float64 sums in a fixed order.
 *
 * Not done: folding a preceding conv's bias into the shift in training (it
 * cancels in the output, but must still reach runningMean and get PyTorch's
 * gradient). The conv would have to skip its bias add and bias-gradient pass,
 * which only the conv op can do; measured, those passes cost little: the conv
 * bias gradients of VGG-11-BN at batch 8, 224x224, one thread, 26 ms of a
 * 4,500 ms step (~0.6%, process CPU time under load); the bias add runs inside
 * the conv's output pass.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  floatTensor(x, op, 'input');
  check(x.shape.length >= 2, op, () => `input must be [N,C,...] with at least 2 dimensions, got ${fmtShape(x.shape)}`);
  const o = checkOptions(opts, op, ['training', 'momentum', 'eps']);
  const training = boolOption(o.training, false, op, 'training');
  const momentum = numberOption(o.momentum, 0.1, op, 'momentum');
  const eps = numberOption(o.eps, 1e-5, op, 'eps', 0);
  const [N, C] = x.shape;
  const S = shapeSize(x.shape.slice(2));
  const rm = channelVector(runningMean, C, op, 'runningMean', x);
  const rv = channelVector(runningVar, C, op, 'runningVar', x);
  const w = channelVector(weight, C, op, 'weight', x);
  const b = channelVector(bias, C, op, 'bias', x);
  check((rm === null) === (rv === null), op, 'runningMean and runningVar must both be given or both be null');
  if (training) {
    check(N * S > 1, op, () => `expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
  } else {
    check(rm !== null, op, 'runningMean and runningVar are required in evaluation (training: false)');
  }

  // saved = [mean (C), invstd (C), a (C), sh (C)]: what the forward used, kept for
  // backward; a and sh (y = x·a + sh, as bnApply rounds them) let a ReLU's mask be rebuilt.
  const saved = empty([4 * C], op);
  const mean = saved.ptr();
  const invstd = mean + 4 * C;
  if (training) {
    kernels.bnStats({
      x: x.ptr(op), N, C, S, eps, mean, invstd, runMean: rm ? rm.ptr(op) : 0, runVar: rv ? rv.ptr(op) : 0, momentum,
    }, elementwiseThreads(x.size));
  } else {
    kernels.bnEvalStats({ runMean: rm!.ptr(op), runVar: rv!.ptr(op), C, eps, mean, invstd }, 1);
  }
  const out = empty(x.shape, op);
  const wp = () => (w ? w.ptr(op) : 0);
  kernels.bnApply({ x: x.ptr(op), y: out.ptr(), N, C, S, mean, invstd, w: wp(), b: b ? b.ptr(op) : 0 }, elementwiseThreads(x.size));

  traceOp(op, [x, rm, rv, w, b], out, { training, momentum, eps });
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  record(op, out, inputs, (g) => backward(g, false));
  if (out.gradFn !== null) {
    affineCoefficients(saved, C, w, b);
    out.gradFn.backwardReluMasked = (g) => backward(g, true);
  } else saved.dispose();
  return out;

  /** The gradients from dL/dout (`relu`: dL/d relu(out), masked here, see GradNode.backwardReluMasked). */
  function backward(g: Tensor, relu: boolean): (Tensor | null)[] {
    const gw = w && w.requiresGrad ? empty([C], op) : null;
    const gb = b && b.requiresGrad ? empty([C], op) : null;
    const gx = x.requiresGrad ? empty(x.shape, op) : null;
    const sums = empty([2 * C], op);
    const m = saved.ptr(op);
    const is = m + 4 * C;
    const aff = m + 8 * C;
    if (gw || gb || (gx && training)) {
      const common = { x: x.ptr(op), g: g.ptr(op), N, C, S, mean: m, invstd: is, sums: sums.ptr(), gw: gw ? gw.ptr() : 0, gb: gb ? gb.ptr() : 0 };
      if (relu) kernels.bnReluBackwardReduce({ ...common, aff }, elementwiseThreads(x.size));
      else kernels.bnBackwardReduce(common, elementwiseThreads(x.size));
    }
    if (gx) {
      const common = { x: x.ptr(op), g: g.ptr(op), gx: gx.ptr(), N, C, S, mean: m, invstd: is, w: wp(), sums: sums.ptr(), training: training ? 1 : 0 };
      if (relu) kernels.bnReluBackwardInput({ ...common, aff }, elementwiseThreads(x.size));
      else kernels.bnBackwardInput(common, elementwiseThreads(x.size));
    }
    sums.dispose();
    freeSaved(saved);
    return [gx, ...(w ? [gw] : []), ...(b ? [gb] : [])];
  }
}

/**
 * Writes a = w·invstd and sh = bias − mean·a per channel after mean and invstd
 * in `saved`, rounded as bnApply rounds them (float32 products and
 * differences: Math.fround of the exact double result is the float32 one), so
 * that x·a + sh in a backward kernel rebuilds the forward's output bit for bit.
 */
export function affineCoefficients(saved: Tensor, C: number, w: Tensor | null, b: Tensor | null): void {
  const f = Math.fround;
  const v = saved.view('batchNorm');
  const wv = w ? w.view('batchNorm') : null;
  const bv = b ? b.view('batchNorm') : null;
  for (let c = 0; c < C; c++) {
    const a = f((wv ? wv[c] : 1) * v[C + c]);
    v[2 * C + c] = a;
    v[3 * C + c] = f((bv ? bv[c] : 0) - f(v[c] * a));
  }
}
