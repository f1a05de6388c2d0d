import { check, checkKnownKeys } from '../errors.js';

/** How a loss combines its per-element values (PyTorch's `reduction`). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Checks a loss's options object: known keys only, a valid reduction; returns the reduction. */
export function lossOptions(op: string, opts: unknown, extra: string[]): Reduction {
  check(opts !== null && typeof opts === 'object', op, `options must be an object, got ${String(opts)}`);
  const o = opts as Record<string, unknown>;
  checkKnownKeys(op, o, ['reduction', ...extra]);
  const r = o.reduction ?? 'mean';
  check(r === 'mean' || r === 'sum' || r === 'none', op, `reduction must be 'mean', 'sum' or 'none', got ${String(r)}`);
  return r as Reduction;
}
