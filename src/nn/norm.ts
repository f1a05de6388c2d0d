import { check } from '../errors.js';
import * as F from '../functional.js';
import type { Tensor } from '../tensor.js';
import { BatchNormBase, type BatchNormOptions } from './batchnorm-base.js';
import { checkOptions } from './init.js';
import { Module } from './module.js';

/**
 * Batch normalisation over NCHW channels. `weight`/`bias` are parameters;
 * `running_mean`, `running_var` and `num_batches_tracked` are buffers (the
 * torchvision state_dict keys). Training mode normalises with batch statistics
 * and updates the running ones; eval mode uses the running statistics.
 */
export class BatchNorm2d extends BatchNormBase {
  static override readonly typeName: string = 'BatchNorm2d';
  static override readonly _keepsNoActivations: boolean = true;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, opts);
  }

  /** Set by `foldBatchNorm`: the preceding conv applies this normalisation, so forward is the identity. */
  folded = false;

  forward(x: Tensor): Tensor {
    if (this.folded) {
      check(!this.training, 'BatchNorm2d', 'this batch norm was folded into its convolution for inference (foldBatchNorm); build a new model to train');
      return x;
    }
    return this.normalize(x, 'BatchNorm2d');
  }
}

/** Local response normalisation across channels (PyTorch's formula: alpha is divided by size). */
export class LocalResponseNorm extends Module {
  static override readonly typeName: string = 'LocalResponseNorm';
  static override readonly _keepsNoActivations: boolean = true;
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(size: number, opts: { alpha?: number; beta?: number; k?: number } = {}) {
    super();
    checkOptions('LocalResponseNorm', opts, ['alpha', 'beta', 'k']);
    check(Number.isInteger(size) && size > 0, 'LocalResponseNorm', `size must be a positive integer, got ${size}`);
    this.size = size;
    this.alpha = opts.alpha ?? 1e-4;
    this.beta = opts.beta ?? 0.75;
    this.k = opts.k ?? 1;
    // Checked here too, so a bad hyper-parameter fails where it is written, not at the first forward.
    for (const [name, v] of [['alpha', this.alpha], ['beta', this.beta], ['k', this.k]] as const) {
      check(typeof v === 'number' && Number.isFinite(v), 'LocalResponseNorm', `${name} must be a finite number, got ${String(v)}`);
    }
  }
  forward(x: Tensor): Tensor {
    return F.localResponseNorm(x, { size: this.size, alpha: this.alpha, beta: this.beta, k: this.k });
  }
}
