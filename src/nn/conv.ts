import { check } from '../errors.js';
import * as F from '../functional.js';
import { empty } from '../ops/basic.js';
import type { Tensor } from '../tensor.js';
import type { Rng } from '../random.js';
import { checkOptions, fans, initDeferred, initRng, kaimingUniform_, pair, uniform_ } from './init.js';
import { Module } from './module.js';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  seed?: number;
}

/**
 * 2-D convolution over NCHW input: weight [outC, inC/groups, kH, kW], bias [outC].
 * Initialised as PyTorch does: kaiming_uniform_(a=√5) weights, U(±1/√fan_in) bias.
 */
export class Conv2d extends Module {
  static override readonly typeName: string = 'Conv2d';
  static override readonly _keepsNoActivations: boolean = true;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts: Conv2dOptions = {}) {
    super();
    const op = 'Conv2d';
    checkOptions(op, opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'seed']);
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = opts;
    check(Number.isInteger(inChannels) && inChannels > 0, op, `inChannels must be a positive integer, got ${inChannels}`);
    check(Number.isInteger(outChannels) && outChannels > 0, op, `outChannels must be a positive integer, got ${outChannels}`);
    check(Number.isInteger(groups) && groups > 0, op, `groups must be a positive integer, got ${groups}`);
    check(inChannels % groups === 0 && outChannels % groups === 0, op, `inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups ${groups}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, op, 'kernelSize');
    this.stride = pair(stride, op, 'stride');
    this.padding = pair(padding, op, 'padding', 0);
    this.dilation = pair(dilation, op, 'dilation');
    this.groups = groups;
    this.weight = this.registerParameter('weight', empty([outChannels, inChannels / groups, ...this.kernelSize], op))!;
    this.bias = this.registerParameter('bias', bias ? empty([outChannels], op) : null);
    if (!initDeferred()) this.resetParameters(initRng(opts.seed));
  }

  /** PyTorch's default initialisation: kaiming_uniform_(a=√5) weight, U(±1/√fan_in) bias. */
  resetParameters(rng: Rng): void {
    kaimingUniform_(this.weight, Math.sqrt(5), rng);
    const bound = 1 / Math.sqrt(fans(this.weight.shape).fanIn);
    if (this.bias) uniform_(this.bias, -bound, bound, rng);
  }

  /** @internal Gives a bias-free conv a bias parameter (batch-norm folding). */
  _setBias(b: Tensor): void {
    this.setTensor('bias', b);
    this.bias = b;
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}
