import { check } from '../errors.js';
import * as F from '../functional.js';
import { empty, full, zeros } from '../ops/basic.js';
import type { Tensor } from '../tensor.js';
import { checkOptions } from './init.js';
import { Module } from './module.js';

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
}

/**
 * The state and step shared by BatchNorm1d and BatchNorm2d: `weight`/`bias`
 * parameters and the `running_mean`, `running_var`, `num_batches_tracked`
 * buffers (torchvision's state_dict keys). Training mode normalises with batch
 * statistics and updates the running ones; eval mode uses the running ones.
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor;
  runningVar: Tensor;
  numBatchesTracked: Tensor;

  constructor(op: string, numFeatures: number, opts: BatchNormOptions) {
    super();
    checkOptions(op, opts, ['eps', 'momentum', 'affine']);
    const { eps = 1e-5, momentum = 0.1, affine = true } = opts;
    check(Number.isInteger(numFeatures) && numFeatures > 0, op, `numFeatures must be a positive integer, got ${numFeatures}`);
    check(Number.isFinite(eps) && eps > 0, op, `eps must be a positive finite number, got ${eps}`);
    check(Number.isFinite(momentum) && momentum >= 0 && momentum <= 1, op, `momentum must be in [0, 1], got ${momentum}`);
    check(typeof affine === 'boolean', op, `affine must be true or false, got ${String(affine)}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = this.registerParameter('weight', affine ? full([numFeatures], 1) : null);
    this.bias = this.registerParameter('bias', affine ? zeros([numFeatures]) : null);
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]))!;
    this.runningVar = this.registerBuffer('running_var', full([numFeatures], 1))!;
    const n = empty([], op);
    n.view(op)[0] = 0;
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', n)!;
  }

  /** One batch-norm step of `x` with this module's state; counts the batch in training mode. */
  protected normalize(x: Tensor, op: string): Tensor {
    const y = F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training, momentum: this.momentum, eps: this.eps });
    if (this.training) this.numBatchesTracked.view(op)[0] += 1;
    return y;
  }
}
