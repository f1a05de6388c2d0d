import { check, fmtShape, SimdnnError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { broadcastTo, pointwiseLoss } from './pointwise-loss.js';
import { lossOptions, type Reduction } from './reduction.js';

export interface BceOptions {
  reduction?: Reduction;
  /** Per-element weights, broadcast to the input's shape. */
  weight?: Tensor | null;
}

/**
 * Binary cross-entropy of probabilities p ∈ [0, 1] (PyTorch's
 * `F.binary_cross_entropy`): −w·(t·log p + (1−t)·log(1−p)) with each log
 * clamped at −100 as torch does, so p = 0 or 1 gives a finite loss; the
 * gradient w·(p − t) / max(p(1−p), 1e-12) as torch's.
 */
export function binaryCrossEntropy(p: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  const reduction = lossOptions(op, opts, ['weight']);
  floatTensor(p, op, 'input');
  floatTensor(target, op, 'target');
  const w = broadcastTo(opts.weight, p.shape, op, 'weight');
  const pv = p.view(op);
  for (let i = 0; i < pv.length; i++) {
    if (!(pv[i] >= 0 && pv[i] <= 1)) throw new SimdnnError(op, `every input element must be a probability in [0, 1]; input[${i}] = ${pv[i]} (input ${fmtShape(p.shape)})`);
  }
  const clog = (v: number) => Math.max(Math.log(v), -100);
  return pointwiseLoss(op, p, target, reduction,
    (x, t, i) => -(w ? w[i] : 1) * (t[i] * clog(x[i]) + (1 - t[i]) * clog(1 - x[i])),
    (x, t, i) => ((w ? w[i] : 1) * (x[i] - t[i])) / Math.max((1 - x[i]) * x[i], 1e-12));
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term per class (broadcast over the last dimension), torch's pos_weight. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits (PyTorch's `F.binary_cross_entropy_with_logits`),
 * stable for any x: (1−t)·x + (1 + (pw−1)·t)·softplus(−x), with softplus(−x)
 * = max(−x, 0) + log(e^{−max} + e^{−x−max}); the gradient
 * w·((1 + (pw−1)·t)·σ(x) − pw·t).
 */
export function binaryCrossEntropyWithLogits(x: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const reduction = lossOptions(op, opts, ['weight', 'posWeight']);
  floatTensor(x, op, 'input');
  floatTensor(target, op, 'target');
  check(x.shape.length > 0 || opts.posWeight == null, op, 'posWeight needs an input with at least one dimension');
  const w = broadcastTo(opts.weight, x.shape, op, 'weight');
  const pw = broadcastTo(opts.posWeight, x.shape, op, 'posWeight');
  const softplusNeg = (v: number) => {
    const m = Math.max(-v, 0);
    return m + Math.log(Math.exp(-m) + Math.exp(-v - m));
  };
  const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
  return pointwiseLoss(op, x, target, reduction,
    (xv, t, i) => (w ? w[i] : 1) * ((1 - t[i]) * xv[i] + (1 + ((pw ? pw[i] : 1) - 1) * t[i]) * softplusNeg(xv[i])),
    (xv, t, i) => {
      const pwi = pw ? pw[i] : 1;
      return (w ? w[i] : 1) * ((1 + (pwi - 1) * t[i]) * sigmoid(xv[i]) - pwi * t[i]);
    });
}
