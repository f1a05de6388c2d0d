import { check } from '../errors.js';
import { keep } from '../scope.js';
import { Tensor as TensorClass } from '../tensor.js';
import { crossEntropy, crossEntropyOptions, type CrossEntropyOptions } from '../ops/cross-entropy.js';
import { nllLoss, type NllLossOptions } from '../ops/nll.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, type BceOptions, type BceWithLogitsOptions } from '../ops/binary-cross-entropy.js';
import { klDiv, type KlDivReduction } from '../ops/kl-div.js';
import { checkOptions } from './init.js';
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
  readonly ignoreIndex: number;
  /** Per-class weights (not a buffer: PyTorch registers it as one, but simdnn's stateDict keeps to trained state). */
  readonly weight: Tensor | null;
  constructor(opts: CrossEntropyOptions = {}) {
    super();
    ({ reduction: this.reduction, labelSmoothing: this.labelSmoothing, ignoreIndex: this.ignoreIndex, weight: this.weight } = crossEntropyOptions(opts, 'CrossEntropyLoss'));
    if (this.weight) keep(this.weight);
  }
  override forward(input: Tensor, target: Int32Array | number[] | Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, labelSmoothing: this.labelSmoothing, ignoreIndex: this.ignoreIndex, weight: this.weight });
  }
}

export class NLLLoss extends Module {
  static override readonly typeName: string = 'NLLLoss';
  readonly opts: NllLossOptions;
  constructor(opts: NllLossOptions = {}) {
    super();
    lossOptions('NLLLoss', opts, ['weight', 'ignoreIndex']);
    check(opts.ignoreIndex === undefined || Number.isInteger(opts.ignoreIndex), 'NLLLoss', `ignoreIndex must be an integer, got ${String(opts.ignoreIndex)}`);
    check(opts.weight == null || opts.weight instanceof TensorClass, 'NLLLoss', 'weight must be a Tensor [C]');
    if (opts.weight) keep(opts.weight);
    this.opts = { ...opts };
  }
  override forward(input: Tensor, target: Int32Array | number[] | Tensor): Tensor {
    return nllLoss(input, target, this.opts);
  }
}

export class BCELoss extends Module {
  static override readonly typeName: string = 'BCELoss';
  readonly opts: BceOptions;
  constructor(opts: BceOptions = {}) {
    super();
    lossOptions('BCELoss', opts, ['weight']);
    check(opts.weight == null || opts.weight instanceof TensorClass, 'BCELoss', 'weight must be a Tensor');
    if (opts.weight) keep(opts.weight);
    this.opts = { ...opts };
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.opts);
  }
}

export class BCEWithLogitsLoss extends Module {
  static override readonly typeName: string = 'BCEWithLogitsLoss';
  readonly opts: BceWithLogitsOptions;
  constructor(opts: BceWithLogitsOptions = {}) {
    super();
    lossOptions('BCEWithLogitsLoss', opts, ['weight', 'posWeight']);
    for (const k of ['weight', 'posWeight'] as const) {
      const v = opts[k];
      check(v == null || v instanceof TensorClass, 'BCEWithLogitsLoss', `${k} must be a Tensor`);
      if (v) keep(v);
    }
    this.opts = { ...opts };
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.opts);
  }
}

export class KLDivLoss extends Module {
  static override readonly typeName: string = 'KLDivLoss';
  readonly reduction: KlDivReduction;
  readonly logTarget: boolean;
  constructor(opts: { reduction?: KlDivReduction; logTarget?: boolean } = {}) {
    super();
    checkOptions('KLDivLoss', opts, ['reduction', 'logTarget']);
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = opts.logTarget ?? false;
    check(['mean', 'sum', 'none', 'batchmean'].includes(this.reduction), 'KLDivLoss', `reduction must be 'mean', 'sum', 'none' or 'batchmean', got ${String(this.reduction)}`);
    check(typeof this.logTarget === 'boolean', 'KLDivLoss', `logTarget must be true or false, got ${String(this.logTarget)}`);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
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
