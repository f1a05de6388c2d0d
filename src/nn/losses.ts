import { crossEntropy, crossEntropyOptions } from '../ops/cross-entropy.js';
import { huberLoss, huberOptions, l1Loss, mseLoss, smoothL1Loss, smoothL1Options } from '../ops/regression-losses.js';
import { lossOptions, type Reduction } from '../ops/reduction.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

// The loss modules (PyTorch's nn.CrossEntropyLoss, …): options are checked at
// construction and kept; `forward(input, target)` calls the `F` function.
// They are Modules without parameters (so they nest in a model and show in hooks).

export class CrossEntropyLoss extends Module {
  static override readonly typeName: string = 'CrossEntropyLoss';
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  constructor(opts: { reduction?: Reduction; labelSmoothing?: number } = {}) {
    super();
    ({ reduction: this.reduction, labelSmoothing: this.labelSmoothing } = crossEntropyOptions(opts, 'CrossEntropyLoss'));
  }
  override forward(input: Tensor, target: Int32Array | number[] | Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

export class L1Loss extends Module {
  static override readonly typeName: string = 'L1Loss';
  readonly reduction: Reduction;
  constructor(opts: { reduction?: Reduction } = {}) {
    super();
    this.reduction = lossOptions('L1Loss', opts, []);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

export class MSELoss extends Module {
  static override readonly typeName: string = 'MSELoss';
  readonly reduction: Reduction;
  constructor(opts: { reduction?: Reduction } = {}) {
    super();
    this.reduction = lossOptions('MSELoss', opts, []);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Module {
  static override readonly typeName: string = 'SmoothL1Loss';
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super();
    ({ reduction: this.reduction, beta: this.beta } = smoothL1Options(opts, 'SmoothL1Loss'));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Module {
  static override readonly typeName: string = 'HuberLoss';
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super();
    ({ reduction: this.reduction, delta: this.delta } = huberOptions(opts, 'HuberLoss'));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}
