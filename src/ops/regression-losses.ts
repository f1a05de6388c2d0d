import { LOSS_HUBER, LOSS_L1, LOSS_MSE, LOSS_SMOOTH_L1 } from '../runtime/kernel-table.generated.js';
import { kernels } from '../runtime/kernel-calls.js';
import { requireFloat } from './args.js';
import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { sameShape, Tensor } from '../tensor.js';
import { empty } from './basic.js';
import { elementwiseThreads } from './launch.js';
import { lossOptions, type Reduction } from './reduction.js';


/**
 * An element-wise loss of d = input − target, reduced as asked. Gradients flow
 * to the input and, when it requires one, to the target (−∂/∂input).
 */
function regression(op: string, kind: number, input: Tensor, target: Tensor, reduction: Reduction, param: number): Tensor {
  check(input instanceof Tensor, op, 'input must be a Tensor');
  check(target instanceof Tensor, op, 'target must be a Tensor');
  requireFloat(input, op, 'input');
  requireFloat(target, op, 'target');
  check(sameShape(input.shape, target.shape), op, () => `target ${fmtShape(target.shape)} must have the input's shape ${fmtShape(input.shape)}`);
  input.ptr(op);
  target.ptr(op);
  const n = input.size;
  const elems = empty(input.shape, op);
  kernels.regressionLoss({ kind, a: input.ptr(op), b: target.ptr(op), out: elems.ptr(), n, param }, elementwiseThreads(n));
  let out = elems;
  if (reduction !== 'none') {
    out = empty([], op);
    // PyTorch: the mean of no elements is NaN, the sum 0.
    kernels.sumScaled({ src: elems.ptr(), out: out.ptr(), n, divisor: reduction === 'mean' ? n : 1 });
    elems.dispose();
  }
  return record(op, out, [input, target], (g) => {
    const ga = input.requiresGrad ? empty(input.shape, op) : null;
    const gb = target.requiresGrad ? empty(target.shape, op) : null;
    kernels.regressionLossBackward({
      kind, a: input.ptr(op), b: target.ptr(op), g: g.ptr(op), gstride: reduction === 'none' ? 1 : 0,
      scale: reduction === 'mean' ? 1 / n : 1, ga: ga ? ga.ptr() : 0, gb: gb ? gb.ptr() : 0, n, param,
    }, elementwiseThreads(n));
    return [ga, gb];
  });
}

/** Mean absolute error |input − target| (the lecture's L1 loss); gradient sign(d), 0 at d = 0. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  return regression('l1Loss', LOSS_L1, input, target, lossOptions('l1Loss', opts, []), 0);
}

/** Mean squared error (input − target)² (the lecture's L2 loss). */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  return regression('mseLoss', LOSS_MSE, input, target, lossOptions('mseLoss', opts, []), 0);
}

/** Checks smoothL1Loss's options; returns them with defaults filled in. */
export function smoothL1Options(opts: { reduction?: Reduction; beta?: number }, op = 'smoothL1Loss') {
  const reduction = lossOptions(op, opts, ['beta']);
  const beta = opts.beta ?? 1;
  check(typeof beta === 'number' && Number.isFinite(beta) && beta >= 0, op, `beta must be a finite number ≥ 0, got ${String(beta)}`);
  return { reduction, beta };
}

/** Checks huberLoss's options; returns them with defaults filled in. */
export function huberOptions(opts: { reduction?: Reduction; delta?: number }, op = 'huberLoss') {
  const reduction = lossOptions(op, opts, ['delta']);
  const delta = opts.delta ?? 1;
  check(typeof delta === 'number' && Number.isFinite(delta) && delta > 0, op, `delta must be a finite number > 0, got ${String(delta)}`);
  return { reduction, delta };
}

/** Smooth L1: 0.5·d²/β where |d| < β, else |d| − 0.5·β (β = 1 is the lecture's smooth L1; β = 0 is L1). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const { reduction, beta } = smoothL1Options(opts);
  return regression('smoothL1Loss', beta === 0 ? LOSS_L1 : LOSS_SMOOTH_L1, input, target, reduction, beta);
}

/** Huber: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ); equals δ·smoothL1 with β = δ. */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const { reduction, delta } = huberOptions(opts);
  return regression('huberLoss', LOSS_HUBER, input, target, reduction, delta);
}
