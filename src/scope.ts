import type { Tensor } from './tensor.js';

/**
 * `tidy` scopes: every tensor created while `fn` runs is released when it
 * returns, except the tensors it returns (which move to the enclosing scope)
 * and those passed to `keep`. A training step wrapped in `tidy` recycles the
 * same memory blocks every step, so the memory's high-water mark stays flat.
 * Outside any scope, the rules of docs/memory.md (src/memory/) apply.
 */
class Scope {
  readonly tensors = new Set<Tensor>();
}

const stack: Scope[] = [];

/** Whether a `tidy` is running: what is made now is that tidy's to free. */
export function inTidy(): boolean {
  return stack.length > 0;
}

/** Called by every tensor constructor. */
export function track(t: Tensor): void {
  const s = stack[stack.length - 1];
  if (s) {
    s.tensors.add(t);
    t._scope = s;
  }
}

/**
 * Exempts `t` from the scope it was created in and from every automatic
 * release of docs/memory.md (e.g. a parameter's `.grad`, optimizer state).
 */
export function keep<T extends Tensor>(t: T): T {
  t.storage.makePersistent();
  const s = t._scope as Scope | null;
  if (s) {
    s.tensors.delete(t);
    t._scope = null;
  }
  return t;
}

/** The tensors in `value`: itself, or inside arrays and plain objects (a few levels deep). */
export function collect(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, isTensor, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, isTensor, depth + 1);
}

export function tidy<T>(fn: () => T, isTensor: (v: unknown) => v is Tensor): T {
  const scope = new Scope();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope.tensors) t.dispose();
    throw e;
  }
  stack.pop();
  const survivors = new Set<Tensor>();
  collect(result, survivors, isTensor);
  const parent = stack[stack.length - 1];
  for (const t of scope.tensors) {
    if (survivors.has(t)) {
      t._scope = parent ?? null;
      if (parent) parent.tensors.add(t);
    } else {
      t.dispose();
    }
  }
  return result;
}
