import { check } from '../errors.js';
import * as F from '../functional.js';
import { empty } from '../ops/basic.js';
import type { Tensor } from '../tensor.js';
import type { Rng } from '../random.js';
import { checkOptions, initDeferred, initRng, kaimingUniform_, uniform_ } from './init.js';
import { Module } from './module.js';

/** y = x·Wᵀ + b with W [out, in]; PyTorch's default initialisation. */
export class Linear extends Module {
  static override readonly typeName: string = 'Linear';
  static override readonly _keepsNoActivations: boolean = true;
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean; seed?: number } = {}) {
    super();
    const op = 'Linear';
    checkOptions(op, opts, ['bias', 'seed']);
    check(Number.isInteger(inFeatures) && inFeatures > 0, op, `inFeatures must be a positive integer, got ${inFeatures}`);
    check(Number.isInteger(outFeatures) && outFeatures > 0, op, `outFeatures must be a positive integer, got ${outFeatures}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter('weight', empty([outFeatures, inFeatures], op))!;
    this.bias = this.registerParameter('bias', opts.bias === false ? null : empty([outFeatures], op));
    if (!initDeferred()) this.resetParameters(initRng(opts.seed));
  }

  /** PyTorch's default initialisation: kaiming_uniform_(a=√5) weight, U(±1/√in) bias. */
  resetParameters(rng: Rng): void {
    kaimingUniform_(this.weight, Math.sqrt(5), rng);
    const bound = 1 / Math.sqrt(this.inFeatures);
    if (this.bias) uniform_(this.bias, -bound, bound, rng);
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}
