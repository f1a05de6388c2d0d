import { check, fmtShape } from '../errors.js';
import * as F from '../functional.js';
import { empty, full, zeros } from '../ops/basic.js';
import type { Tensor } from '../tensor.js';
import { checkOptions } from './init.js';
import { Module } from './module.js';

/**
 * Batch normalisation of [N, C] or [N, C, L] inputs (PyTorch's BatchNorm1d),
 * with BatchNorm2d's parameters, buffers and state_dict keys. A class of its
 * own rather than a BatchNorm2d subclass, so that conv folding and the fused
 * inference path (which match BatchNorm2d after a Conv2d) never take it.
 */
export class BatchNorm1d extends Module {
  static override readonly typeName: string = 'BatchNorm1d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor;
  runningVar: Tensor;
  numBatchesTracked: Tensor;

  constructor(numFeatures: number, opts: { eps?: number; momentum?: number; affine?: boolean } = {}) {
    super();
    const op = 'BatchNorm1d';
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

  forward(x: Tensor): Tensor {
    check(x.shape.length === 2 || x.shape.length === 3, 'BatchNorm1d', () => `expected input [N, C] or [N, C, L], got ${fmtShape(x.shape)}`);
    const y = F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training, momentum: this.momentum, eps: this.eps });
    if (this.training) this.numBatchesTracked.view('BatchNorm1d')[0] += 1;
    return y;
  }
}
