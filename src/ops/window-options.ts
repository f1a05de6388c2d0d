import { check, checkKnownKeys, SimdnnError } from '../errors.js';

/**
 * Option parsing shared by convolution and pooling: PyTorch accepts a scalar or
 * an [h, w] pair for every window size; we check them before any allocation.
 */

/** Throws on keys that are not in `allowed` (a typo must not be silently ignored). */
export function checkOptionKeys(op: string, opts: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new SimdnnError(op, `options must be an object, got ${String(opts)}`);
  checkKnownKeys(op, opts, allowed);
  return opts as Record<string, unknown>;
}

/** A scalar or [h, w] pair of integers >= `min`, as [h, w]. */
export function intPair(op: string, name: string, v: unknown, min: number): [number, number] {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
  const want = min === 0 ? 'non-negative integer' : 'positive integer';
  if (Array.isArray(v)) {
    check(v.length === 2 && ok(v[0]) && ok(v[1]), op, () => `${name} must be a ${want} or a pair of them, got [${v.map(String).join(',')}]`);
    return [v[0], v[1]];
  }
  check(ok(v), op, () => `${name} must be a ${want} or a pair of them, got ${String(v)}`);
  return [v, v];
}

export function boolOption(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  check(typeof v === 'boolean', op, () => `${name} must be a boolean, got ${String(v)}`);
  return v;
}

/** `[2,3]`-style text for a pair (1 for equal sides would hide which is which). */
export const fmtPair = (p: readonly number[]): string => `${p[0]}x${p[1]}`;
