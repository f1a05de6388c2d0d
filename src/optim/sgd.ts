import { SGD_DECAY, SGD_FIRST, SGD_MOMENTUM, SGD_NESTEROV } from '../runtime/kernel-table.generated.js';
import { kernels } from '../runtime/kernel-calls.js';
import { check, checkKnownKeys } from '../errors.js';
import { elementwiseThreads } from '../ops/launch.js';
import type { Tensor } from '../tensor.js';
import { checkNumber, Optimizer, stateEmpty, type OptimizerParams, type ParamGroup, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

// Flags of the sgdStep kernel (assembly/optim.ts).
const KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'];

/**
 * Stochastic gradient descent, PyTorch's form (torch.optim.SGD):
 *   d = ∇ + weightDecay·θ
 *   buf = momentum·buf + (1 − dampening)·d   (buf = d on the first step)
 *   d = nesterov ? d + momentum·buf : buf
 *   θ = θ − lr·d
 * One fused pass per parameter (assembly/optim.ts `sgdStep`).
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: OptimizerParams<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    check(opts !== null && typeof opts === 'object', 'SGD', 'options must be an object with at least lr');
    checkKnownKeys('SGD', opts, KEYS);
    check(opts.lr !== undefined, 'SGD', 'lr is required');
    super('SGD', params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...opts });
  }

  protected validateGroup(g: SGDOptions): void {
    checkNumber('SGD', 'lr', g.lr);
    checkNumber('SGD', 'momentum', g.momentum);
    checkNumber('SGD', 'dampening', g.dampening);
    checkNumber('SGD', 'weightDecay', g.weightDecay);
    check(typeof g.nesterov === 'boolean', 'SGD', `nesterov must be a boolean, got ${String(g.nesterov)}`);
    check(!g.nesterov || (g.momentum > 0 && g.dampening === 0), 'SGD', 'nesterov momentum requires a momentum and zero dampening');
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<SGDOptions>, state: ParamState): void {
    let flags = g.weightDecay !== 0 ? SGD_DECAY : 0;
    let buf = 0;
    if (g.momentum !== 0) {
      flags |= SGD_MOMENTUM | (g.nesterov ? SGD_NESTEROV : 0);
      if (!(state.momentumBuffer)) {
        state.momentumBuffer = stateEmpty(p); // the first step writes d into it
        flags |= SGD_FIRST;
      }
      buf = (state.momentumBuffer as Tensor).ptr('SGD');
    }
    kernels.sgdStep({
      p: p.ptr('SGD'), g: grad.ptr('SGD'), buf, n: p.size, negLr: -g.lr, wd: g.weightDecay, mom: g.momentum,
      damp1: 1 - g.dampening, flags,
    }, elementwiseThreads(p.size));
  }
}
