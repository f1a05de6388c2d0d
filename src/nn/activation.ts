import { check } from '../errors.js';
import * as F from '../functional.js';
import type { Rng } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, initRng } from './init.js';
import { Module } from './module.js';

export class ReLU extends Module {
  static override readonly typeName: string = 'ReLU';
  static override readonly _keepsNoActivations: boolean = true;
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/**
 * Zeroes each element with probability p in training mode (scaling the rest by
 * 1/(1-p)); the identity in eval mode. Masks come from a seeded stream, so a
 * training run repeats exactly.
 */
export class Dropout extends Module {
  static override readonly typeName: string = 'Dropout';
  static override readonly _keepsNoActivations: boolean = true;
  readonly p: number;
  private readonly rng: Rng;
  constructor(p = 0.5, opts: { seed?: number } = {}) {
    super();
    checkOptions('Dropout', opts, ['seed']);
    check(typeof p === 'number' && p >= 0 && p <= 1, 'Dropout', `p must be in [0, 1], got ${p}`);
    this.p = p;
    this.rng = initRng(opts.seed);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return F.dropout(x, { p: this.p, training: true, seed: this.rng.nextU32() });
  }
}

/** Flattens dimensions from `startDim` on (a view; negative counts from the end, as F.flatten and PyTorch). */
export class Flatten extends Module {
  static override readonly typeName: string = 'Flatten';
  static override readonly _keepsNoActivations: boolean = true;
  readonly startDim: number;
  constructor(startDim = 1) {
    super();
    check(Number.isInteger(startDim), 'Flatten', `startDim must be an integer, got ${startDim}`);
    this.startDim = startDim;
  }
  forward(x: Tensor): Tensor {
    return F.flatten(x, this.startDim);
  }
}

/** Returns its input unchanged (PyTorch's nn.Identity: swaps out a layer, e.g. a model's head: `model.fc = new nn.Identity()`). */
export class Identity extends Module {
  static override readonly typeName: string = 'Identity';
  static override readonly _keepsNoActivations: boolean = true;
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class LeakyReLU extends Module {
  static override readonly typeName: string = 'LeakyReLU';
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    check(typeof negativeSlope === 'number' && Number.isFinite(negativeSlope), 'LeakyReLU', `negativeSlope must be a finite number, got ${String(negativeSlope)}`);
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

/** GELU in PyTorch's default exact form x·Φ(x). */
export class GELU extends Module {
  static override readonly typeName: string = 'GELU';
  forward(x: Tensor): Tensor {
    return F.gelu(x);
  }
}

export class Tanh extends Module {
  static override readonly typeName: string = 'Tanh';
  static override readonly _keepsNoActivations: boolean = true;
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class Sigmoid extends Module {
  static override readonly typeName: string = 'Sigmoid';
  static override readonly _keepsNoActivations: boolean = true;
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

function dimArg(op: string, dim: number): number {
  check(Number.isInteger(dim), op, `dim must be an integer (PyTorch's implicit dim is not supported), got ${String(dim)}`);
  return dim;
}

/** softmax along `dim` (required: PyTorch's implicit-dim choice is deprecated). */
export class Softmax extends Module {
  static override readonly typeName: string = 'Softmax';
  static override readonly _keepsNoActivations: boolean = true;
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dimArg('Softmax', dim);
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}

export class LogSoftmax extends Module {
  static override readonly typeName: string = 'LogSoftmax';
  static override readonly _keepsNoActivations: boolean = true;
  readonly dim: number;
  constructor(dim: number) {
    super();
    this.dim = dimArg('LogSoftmax', dim);
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}
