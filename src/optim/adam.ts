import { ADAM_AMSGRAD, ADAM_DECAY, ADAM_DECOUPLED } from '../runtime/kernel-table.generated.js';
import { kernels } from '../runtime/kernel-calls.js';
import { check, checkKnownKeys } from '../errors.js';
import { elementwiseThreads } from '../ops/launch.js';
import type { Tensor } from '../tensor.js';
import { checkNumber, Optimizer, stateZeros, type OptimizerParams, type ParamGroup, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

// Flags of the adamStep kernel (assembly/optim.ts).
const KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'];

/**
 * Adam (Kingma & Ba), PyTorch's arithmetic (torch.optim.Adam, 1.13):
 *   g = ∇ + weightDecay·θ (L2; AdamW instead shrinks θ by 1 − lr·weightDecay first)
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²   (v̂max = max(v̂max, v) with amsgrad)
 *   θ = θ − (lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + eps)
 * One fused pass per parameter (assembly/optim.ts `adamStep`).
 */
export class Adam extends Optimizer<AdamOptions> {
  private readonly decoupled: boolean;

  constructor(params: OptimizerParams<AdamOptions>, opts: Partial<AdamOptions> = {}, name = 'Adam', decoupled = false, weightDecay = 0) {
    check(opts !== null && typeof opts === 'object', name, 'options must be an object');
    checkKnownKeys(name, opts, KEYS);
    super(name, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, ...opts });
    this.decoupled = decoupled;
  }

  protected validateGroup(g: AdamOptions): void {
    const op = this.op;
    checkNumber(op, 'lr', g.lr);
    check(Array.isArray(g.betas) && g.betas.length === 2, op, `betas must be [beta1, beta2], got ${String(g.betas)}`);
    checkNumber(op, 'betas[0]', g.betas[0], { max: 1, maxOpen: true });
    checkNumber(op, 'betas[1]', g.betas[1], { max: 1, maxOpen: true });
    checkNumber(op, 'eps', g.eps);
    checkNumber(op, 'weightDecay', g.weightDecay);
    check(typeof g.amsgrad === 'boolean', op, `amsgrad must be a boolean, got ${String(g.amsgrad)}`);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdamOptions>, state: ParamState): void {
    const op = this.op;
    if (state.step === undefined) {
      state.step = 0;
      state.expAvg = stateZeros(p);
      state.expAvgSq = stateZeros(p);
      if (g.amsgrad) state.maxExpAvgSq = stateZeros(p);
    }
    if (g.amsgrad && !state.maxExpAvgSq) state.maxExpAvgSq = stateZeros(p);
    const step = (state.step as number) + 1;
    state.step = step;
    const [b1, b2] = g.betas;
    // Scalars in float64 as PyTorch's Python code computes them; the kernel rounds them to float32.
    const stepSize = g.lr / (1 - b1 ** step);
    const bc2sqrt = Math.sqrt(1 - b2 ** step);
    let flags = g.amsgrad ? ADAM_AMSGRAD : 0;
    if (g.weightDecay !== 0) flags |= this.decoupled ? ADAM_DECOUPLED : ADAM_DECAY;
    const vmax = g.amsgrad ? (state.maxExpAvgSq as Tensor).ptr(op) : 0;
    kernels.adamStep({
      p: p.ptr(op), g: grad.ptr(op), m: (state.expAvg as Tensor).ptr(op), v: (state.expAvgSq as Tensor).ptr(op), vmax, n: p.size,
      negStep: -stepSize, b1, b1c: 1 - b1, b2, b2c: 1 - b2, eps: g.eps, wd: g.weightDecay, shrink: 1 - g.lr * g.weightDecay,
      bc2sqrt, flags,
    }, elementwiseThreads(p.size));
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter; torch.optim.AdamW): θ *= 1 − lr·weightDecay, then Adam. */
export class AdamW extends Adam {
  constructor(params: OptimizerParams<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, opts, 'AdamW', true, 1e-2);
  }
}
