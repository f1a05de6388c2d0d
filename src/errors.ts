/**
 * The one error type simdnn throws for bad input or misuse. The message names
 * the operation, the argument and the shapes it got, e.g.
 * `matmul: inner dimensions differ: a [2,3] vs b [4,5]`.
 */
export class SimdnnError extends Error {
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'SimdnnError';
    this.op = op;
  }

  /**
   * By brand, not by class identity: `simdnn/node` and the CLI are separate
   * bundles with their own copy of this class, and their errors must still be
   * `instanceof sn.SimdnnError`.
   */
  static override [Symbol.hasInstance](v: unknown): boolean {
    return v instanceof Error && v.name === 'SimdnnError' && typeof (v as { op?: unknown }).op === 'string';
  }
}
// The bundle is minified: keep the class's own name, which Node prints for an
// uncaught error ('u [SimdnnError]: …' otherwise) and users may test.
Object.defineProperty(SimdnnError, 'name', { value: 'SimdnnError' });

/** `[2,3,4]` — shapes as error messages print them. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws a SimdnnError for `op` unless `cond` holds. */
export function check(cond: unknown, op: string, message: string | (() => string)): asserts cond {
  if (!cond) throw new SimdnnError(op, typeof message === 'string' ? message : message());
}

/** Throws for the first key of an options object not in `allowed` (API.md: an unknown option is an error, not ignored). */
export function checkKnownKeys(op: string, opts: object, allowed: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new SimdnnError(op, `unknown option '${k}' (valid: ${allowed.join(', ')})`);
  }
}
