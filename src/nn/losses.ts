import { crossEntropy, crossEntropyOptions } from '../ops/cross-entropy.js';
import { huberLoss, huberOptions, l1Loss, mseLoss, smoothL1Loss, smoothL1Options } from '../ops/regression-losses.js';
import { lossOptions, type Reduction } from '../ops/reduction.js';
import type { Tensor } from '../tensor.js';

// The loss modules (PyTorch's nn.CrossEntropyLoss, …): options are checked at
// construction and kept; `forward(input, target)` calls the `F` function.
// They hold no parameters.

export class CrossEntropyLoss {
  static readonly typeName = 'CrossEntropyLoss';
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  constructor(opts: { reduction?: Reduction; labelSmoothing?: number } = {}) {
    ({ reduction: this.reduction, labelSmoothing: this.labelSmoothing } = crossEntropyOptions(opts, 'CrossEntropyLoss'));
  }
  forward(input: Tensor, target: Int32Array | number[] | Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
  parameters(): Tensor[] {
    return [];
  }
}

export class L1Loss {
  static readonly typeName = 'L1Loss';
  readonly reduction: Reduction;
  constructor(opts: { reduction?: Reduction } = {}) {
    this.reduction = lossOptions('L1Loss', opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
  parameters(): Tensor[] {
    return [];
  }
}

export class MSELoss {
  static readonly typeName = 'MSELoss';
  readonly reduction: Reduction;
  constructor(opts: { reduction?: Reduction } = {}) {
    this.reduction = lossOptions('MSELoss', opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
  parameters(): Tensor[] {
    return [];
  }
}

export class SmoothL1Loss {
  static readonly typeName = 'SmoothL1Loss';
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    ({ reduction: this.reduction, beta: this.beta } = smoothL1Options(opts, 'SmoothL1Loss'));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
  parameters(): Tensor[] {
    return [];
  }
}

export class HuberLoss {
  static readonly typeName = 'HuberLoss';
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    ({ reduction: this.reduction, delta: this.delta } = huberOptions(opts, 'HuberLoss'));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
  parameters(): Tensor[] {
    return [];
  }
}
