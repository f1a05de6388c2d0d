import { kernels } from '../runtime/kernel-calls.js';
import { freeSaved, record } from '../autograd.js';
import { check, fmtShape, SimdnnError } from '../errors.js';
import { backend } from '../runtime/backend.js';
import { sameShape, Tensor } from '../tensor.js';
import { classTargets, classWeight, weightedNll } from './nll.js';
import { logSoftmax } from './softmax.js';
import { requireFloat } from './args.js';
import { empty } from './basic.js';
import { ELEMENTWISE_PARALLEL_MIN } from './launch.js';
import { lossOptions, type Reduction } from './reduction.js';

/** Checks crossEntropy's options; returns them with defaults filled in. */
export function crossEntropyOptions(opts: CrossEntropyOptions, op = 'crossEntropy') {
  const reduction = lossOptions(op, opts, ['labelSmoothing', 'weight', 'ignoreIndex']);
  const labelSmoothing = opts.labelSmoothing ?? 0;
  check(typeof labelSmoothing === 'number' && labelSmoothing >= 0 && labelSmoothing <= 1, op,
    `labelSmoothing must be a number in [0, 1], got ${String(labelSmoothing)}`);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex), op, `ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  const weight = opts.weight ?? null;
  check(weight === null || weight instanceof Tensor, op, 'weight must be a Tensor [C] (one weight per class)');
  return { reduction, labelSmoothing, ignoreIndex, weight };
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
  /** Per-class weights [C]; 'mean' then divides by the sum of the weights of the non-ignored targets. */
  weight?: Tensor | null;
  /** Targets equal to it contribute nothing (default -100, as PyTorch). */
  ignoreIndex?: number;
}

/** Whether a class-index target contains ignoreIndex (then the general path handles it). */
function targetsHit(target: unknown, ignoreIndex: number): boolean {
  if (target instanceof Tensor) return target.dtype === 'int32' && target.toInt32Array().includes(ignoreIndex);
  if (target instanceof Int32Array || Array.isArray(target)) return (target as ArrayLike<number>).length > 0 && Array.prototype.includes.call(target, ignoreIndex);
  return false;
}

/**
 * The general form: inputs [N, C, d1…], per-class weights, ignored targets:
 * logSoftmax over dim 1 (wasm) then the weighted, smoothed nll of nll.ts,
 * torch 1.13's cross_entropy exactly. The plain [N, C] case keeps the fused kernel.
 */
function generalCrossEntropy(logits: Tensor, target: unknown, o: { reduction: Reduction; labelSmoothing: number; ignoreIndex: number; weight: Tensor | null }): Tensor {
  const op = 'crossEntropy';
  check(logits.shape.length >= 2, op, () => `input must be logits [N, C] or [N, C, d1, ...], got ${fmtShape(logits.shape)}`);
  const C = logits.shape[1];
  check(C > 0, op, () => `input ${fmtShape(logits.shape)} has no classes`);
  const w = classWeight(o.weight, C, op);
  let idx: Int32Array | null = null;
  let soft: Tensor | null = null;
  if (target instanceof Tensor && target.dtype === 'float32') {
    soft = target;
    check(sameShape(soft.shape, logits.shape), op, () => `probability target ${fmtShape(soft!.shape)} must match input ${fmtShape(logits.shape)}`);
    soft.ptr(op);
  } else idx = classTargets(target, logits, o.ignoreIndex, op);
  logits.ptr(op);
  const logp = logSoftmax(logits, 1);
  const out = weightedNll(op, logp, { idx, soft, weight: w, ignoreIndex: o.ignoreIndex, labelSmoothing: o.labelSmoothing, reduction: o.reduction });
  if (out.gradFn === null) logp.dispose(); // nothing will backpropagate through it (no-grad): free it now
  return out;
}

/**
 * Cross-entropy from logits [N, C] (PyTorch's `F.cross_entropy`): the lecture's
 * H(p, q) = −Σ p·log q with q = softmax(logits), computed through a stable
 * log-sum-exp (logits of ±1000 are fine). `target` is either class indices
 * (Int32Array | number[] | int32 Tensor, length N) or probabilities (a Tensor [N, C]; rows need
 * not be one-hot, and it receives a gradient when it requires one).
 * labelSmoothing ε mixes the target with the uniform distribution:
 * t = (1−ε)·target + ε/C. 'mean' divides by N. Returns a 0-d tensor for 'mean'/'sum', [N] for 'none'.
 * Inputs [N, C, d1…] (targets [N, d1…]), `weight` and `ignoreIndex` follow
 * torch 1.13 (see generalCrossEntropy).
 */
export function crossEntropy(
  logits: Tensor,
  target: Int32Array | number[] | Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  const op = 'crossEntropy';
  const { reduction, labelSmoothing: eps, ignoreIndex, weight } = crossEntropyOptions(opts);
  check(logits instanceof Tensor, op, 'input (logits) must be a Tensor');
  requireFloat(logits, op, 'input');
  if (weight !== null || logits.shape.length !== 2 || targetsHit(target, ignoreIndex)) {
    return generalCrossEntropy(logits, target, { reduction, labelSmoothing: eps, ignoreIndex, weight });
  }
  // An int32 tensor of class indices is the same as an Int32Array of them (PyTorch's long target).
  if (target instanceof Tensor && target.dtype === 'int32') {
    const labels = target;
    check(labels.shape.length === 1, op, () => `class-index target must be 1-D [N], got int32 tensor ${fmtShape(labels.shape)}`);
    target = labels.toInt32Array();
  }
  check(logits.shape.length === 2, op, () => `input must be logits [N, C], got ${fmtShape(logits.shape)}`);
  const [N, C] = logits.shape;
  check(C > 0, op, () => `input ${fmtShape(logits.shape)} has no classes`);
  const soft = target instanceof Tensor ? target : null;
  let idx: Int32Array | null = null;
  if (soft) {
    check(soft.shape.length === 2 && soft.shape[0] === N && soft.shape[1] === C, op,
      () => `probability target ${fmtShape(soft.shape)} must match input ${fmtShape(logits.shape)}`);
    requireFloat(soft, op, 'probability target');
    soft.ptr(op);
  } else {
    check(target instanceof Int32Array || Array.isArray(target), op, 'target must be class indices (Int32Array | number[] | int32 Tensor) or a probability Tensor [N, C]');
    check(target.length === N, op, () => `target has ${target.length} class indices for input ${fmtShape(logits.shape)}`);
    for (let i = 0; i < N; i++) {
      const y = target[i];
      if (!Number.isInteger(y) || y < 0 || y >= C) throw new SimdnnError(op, `target[${i}] = ${String(y)} is not a class index in [0, ${C}) (input ${fmtShape(logits.shape)})`);
    }
    idx = Int32Array.from(target);
  }
  logits.ptr(op);

  const logp = empty([N, C], op);
  const rowLoss = empty([N], op);
  const idxT = idx ? new Tensor([N], undefined, op) : null; // int32 bits in a float tensor's memory
  const heap = backend(op).heap;
  if (idxT && N > 0) heap.i32.set(idx!, idxT.ptr() >>> 2);
  const idxPtr = idxT ? idxT.ptr() : 0;
  const softPtr = soft ? soft.ptr(op) : 0;
  const threads = N * C < ELEMENTWISE_PARALLEL_MIN ? 1 : undefined;
  kernels.crossEntropyForward({ x: logits.ptr(op), soft: softPtr, idx: idxPtr, logp: logp.ptr(), loss: rowLoss.ptr(), rows: N, C, eps }, threads);

  let out: Tensor;
  if (reduction === 'none') out = rowLoss;
  else {
    out = empty([], op);
    kernels.sumScaled({ src: rowLoss.ptr(), out: out.ptr(), n: N, divisor: reduction === 'mean' ? N : 1 });
    rowLoss.dispose();
  }
  const inputs = soft ? [logits, soft] : [logits];
  const recorded = record(op, out, inputs, (g) => {
    const gx = logits.requiresGrad ? empty([N, C], op) : null;
    const gt = soft && soft.requiresGrad ? empty([N, C], op) : null;
    const scale = reduction === 'mean' ? 1 / N : 1;
    kernels.crossEntropyBackward({
      logp: logp.ptr(op), soft: softPtr && soft!.ptr(op), idx: idxPtr && idxT!.ptr(op), g: g.ptr(op),
      gstride: reduction === 'none' ? 1 : 0, scale, gx: gx ? gx.ptr() : 0, gt: gt ? gt.ptr() : 0, rows: N, C, eps,
    }, threads);
    freeSaved(logp, idxT);
    return soft ? [gx, gt] : [gx];
  });
  if (recorded.gradFn === null) {
    logp.dispose();
    idxT?.dispose();
  }
  return recorded;
}
