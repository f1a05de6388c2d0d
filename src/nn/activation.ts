import { check } from '../errors.js';
import { launchElementwise } from '../ops/launch.js';
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
  /** @internal No-grad inference on an activation nobody else holds (nn/inference.ts): max(x, 0) in place, same bits. */
  _applyInPlace(x: Tensor): void {
    launchElementwise('reluForward', [x.ptr('relu'), x.ptr('relu'), x.size], x.size);
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
