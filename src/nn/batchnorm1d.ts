import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { BatchNormBase, type BatchNormOptions } from './batchnorm-base.js';

/**
 * Batch normalisation of [N, C] or [N, C, L] inputs (PyTorch's BatchNorm1d),
 * with BatchNorm2d's parameters, buffers and state_dict keys. A class of its
 * own rather than a BatchNorm2d subclass, so that conv folding (which matches
 * BatchNorm2d after a Conv2d) never takes it.
 */
export class BatchNorm1d extends BatchNormBase {
  static override readonly typeName: string = 'BatchNorm1d';
  static override readonly _keepsNoActivations: boolean = true;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, opts);
  }

  forward(x: Tensor): Tensor {
    check(x.shape.length === 2 || x.shape.length === 3, 'BatchNorm1d', () => `expected input [N, C] or [N, C, L], got ${fmtShape(x.shape)}`);
    return this.normalize(x, 'BatchNorm1d');
  }
}
