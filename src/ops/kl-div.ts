import { check } from '../errors.js';
import { empty } from './basic.js';
import { record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { pointwiseLoss } from './pointwise-loss.js';

export type KlDivReduction = 'mean' | 'sum' | 'none' | 'batchmean';

/**
 * Kullback–Leibler divergence with `input` as log-probabilities (PyTorch's
 * `F.kl_div`): t·(log t − input), 0 where t = 0 (torch's xlogy); with
 * `logTarget` the target is log-probabilities too: e^t·(t − input).
 * 'batchmean' divides the sum by the batch size (input.shape[0]), the
 * mathematically correct KL; 'mean' (the default, as torch) by the element count.
 */
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: KlDivReduction; logTarget?: boolean } = {}): Tensor {
  const op = 'klDiv';
  check(opts !== null && typeof opts === 'object', op, 'options must be an object');
  for (const k of Object.keys(opts)) check(k === 'reduction' || k === 'logTarget', op, `unknown option '${k}' (valid: reduction, logTarget)`);
  const reduction = opts.reduction ?? 'mean';
  check(['mean', 'sum', 'none', 'batchmean'].includes(reduction), op, `reduction must be 'mean', 'sum', 'none' or 'batchmean', got ${String(reduction)}`);
  const logTarget = opts.logTarget ?? false;
  check(typeof logTarget === 'boolean', op, `logTarget must be true or false, got ${String(logTarget)}`);
  floatTensor(input, op, 'input');
  floatTensor(target, op, 'target');
  const f = logTarget
    ? (x: Float32Array, t: Float32Array, i: number) => Math.exp(t[i]) * (t[i] - x[i])
    : (x: Float32Array, t: Float32Array, i: number) => (t[i] === 0 ? 0 : t[i] * Math.log(t[i])) - t[i] * x[i];
  const df = logTarget ? (_x: Float32Array, t: Float32Array, i: number) => -Math.exp(t[i]) : (_x: Float32Array, t: Float32Array, i: number) => -t[i];
  if (reduction !== 'batchmean') return pointwiseLoss(op, input, target, reduction, f, df);
  check(input.shape.length > 0, op, "'batchmean' needs an input with a batch dimension");
  const sum = pointwiseLoss(op, input, target, 'sum', f, df);
  return scaled(sum, 1 / input.shape[0], op);
}

/** s·k for a 0-d tensor, differentiable. */
function scaled(s: Tensor, k: number, op: string): Tensor {
  const out = empty([], op);
  out.view(op)[0] = s.view(op)[0] * k;
  const r = record(op, out, [s], (g) => {
    const gs = empty([], op);
    gs.view(op)[0] = g.view(op)[0] * k;
    return [gs];
  });
  if (r.gradFn === null) s.dispose();
  return r;
}
