import { check } from '../errors.js';
import { checkOptions } from '../nn/init.js';

/** Validates the options every zoo constructor shares and returns numClasses. */
export function zooOptions(op: string, opts: object, extra: readonly string[] = []): number {
  checkOptions(op, opts, ['numClasses', 'seed', ...extra]);
  const n = (opts as { numClasses?: number }).numClasses ?? 1000;
  check(Number.isInteger(n) && n > 0, op, `numClasses must be a positive integer, got ${String(n)}`);
  return n;
}
