import { check, checkKnownKeys } from '../errors.js';
import { launchElementwise } from '../ops/launch.js';
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
const MOMENTUM = 1, FIRST = 2, NESTEROV = 4, DECAY = 8;
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
    let flags = g.weightDecay !== 0 ? DECAY : 0;
    let buf = 0;
    if (g.momentum !== 0) {
      flags |= MOMENTUM | (g.nesterov ? NESTEROV : 0);
      if (!(state.momentumBuffer)) {
        state.momentumBuffer = stateEmpty(p); // the first step writes d into it
        flags |= FIRST;
      }
      buf = (state.momentumBuffer as Tensor).ptr('SGD');
    }
    launchElementwise('sgdStep', [p.ptr('SGD'), grad.ptr('SGD'), buf, p.size, -g.lr, g.weightDecay, g.momentum, 1 - g.dampening, flags], p.size);
  }
}
