// `sn.nn.utils`: gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import { check } from '../errors.js';
import { Tensor } from '../tensor.js';

function gradsOf(params: Tensor | Iterable<Tensor>, op: string): Float32Array[] {
  check(params instanceof Tensor || (params !== null && typeof params === 'object' && Symbol.iterator in params), op, 'params must be a Tensor or an iterable of Tensors (e.g. model.parameters())');
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => check(p instanceof Tensor, op, `params[${i}] is not a Tensor`));
  // Views after every check: nothing allocates from here on, so they stay valid.
  return list.filter((p) => p.grad !== null && !p.grad.isDisposed).map((p) => p.grad!.view(op));
}

/**
 * Scales the gradients in place so that their joint p-norm (the norm of the
 * per-parameter norms; normType Infinity: the largest |g|) is at most maxNorm,
 * by maxNorm / (norm + 1e-6) when that is below 1 (torch's formula). Returns
 * the norm before clipping. Parameters without a gradient are skipped.
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2): number {
  const op = 'clipGradNorm_';
  check(typeof maxNorm === 'number' && maxNorm >= 0, op, `maxNorm must be a number ≥ 0, got ${String(maxNorm)}`);
  check(typeof normType === 'number' && normType > 0, op, `normType must be a positive number or Infinity, got ${String(normType)}`);
  const grads = gradsOf(params, op);
  if (grads.length === 0) return 0;
  let total: number;
  if (normType === Infinity) {
    total = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]));
  } else {
    let acc = 0;
    for (const g of grads) {
      let s = 0;
      for (let i = 0; i < g.length; i++) s += Math.abs(g[i]) ** normType;
      acc += s; // Σ_p ‖g_p‖^p = (‖(‖g_1‖, ‖g_2‖, …)‖)^p
    }
    total = acc ** (1 / normType);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    const k = Math.fround(coef);
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= k;
  }
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] in place. */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue_';
  check(typeof clipValue === 'number' && clipValue >= 0, op, `clipValue must be a number ≥ 0, got ${String(clipValue)}`);
  for (const g of gradsOf(params, op)) for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]));
}
