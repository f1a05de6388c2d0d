import type { Storage } from '../storage.js';
import type { Tensor } from '../tensor.js';
import { collect } from '../scope.js';

/**
 * Rule 1 of docs/memory.md: module intermediates. The outermost call of a
 * Module's forward collects the storages made while it runs. What its result
 * holds (arrays and plain objects searched; views count) escapes, and so does
 * what a forward hook (not an observing one) was handed; escaped storages are
 * ordinary tensors. The rest are internal: freed when the forward returns if
 * the result carries no autograd graph, else once backward() has consumed it.
 */
export class ForwardScope {
  readonly made: Storage[] = [];
  readonly escaped = new Set<Storage>();
  /** Set when the forward returned a graph: backward() releases the internal storages. */
  awaitingBackward = false;
  constructor(readonly name: string) {}

  /** Releases the internal storages (idempotent; kept and escaped ones stay). */
  release(note: string): void {
    for (const s of this.made) {
      if (s.forward === this && !s.persistent && !this.escaped.has(s)) s.releaseWith(note);
      if (s.forward === this) s.forward = null;
    }
    this.made.length = 0;
  }
}

let open: ForwardScope | null = null;

/** The outermost forward running now, which storages made now belong to. */
export function openForward(): ForwardScope | null {
  return open;
}

/** Runs a module's forward: opens a scope when it is the outermost one, settles it on return. */
export function runForward<T>(name: string, fn: () => T, isTensor: (v: unknown) => v is Tensor): T {
  if (open !== null) return fn();
  const scope = (open = new ForwardScope(name));
  let out: T;
  try {
    out = fn();
  } catch (e) {
    open = null;
    for (const s of scope.made) if (s.forward === scope) s.forward = null; // left to the step rule
    throw e;
  } finally {
    open = null;
  }
  const results = new Set<Tensor>();
  collect(out, results, isTensor);
  let graph = false;
  for (const t of results) {
    scope.escaped.add(t.storage);
    if (t.gradFn !== null) graph = true;
  }
  if (graph) scope.awaitingBackward = true;
  else scope.release(`freed when ${name}.forward returned (an activation the module did not return)`);
  return out;
}

/** Marks the storages of the tensors in `value` as escaping the open forward (results, what hooks see). */
export function escape(value: unknown, isTensor: (v: unknown) => v is Tensor, scope: ForwardScope | null = open): void {
  if (scope === null) return;
  const found = new Set<Tensor>();
  collect(value, found, isTensor);
  for (const t of found) scope.escaped.add(t.storage);
}

/** Called by backward() after it consumed the graph behind `visited`: releases the forwards that made it. */
export function releaseConsumedForwards(visited: Iterable<Tensor>): void {
  const scopes = new Set<ForwardScope>();
  for (const t of visited) {
    const f = t.storage.forward;
    if (f !== null && f.awaitingBackward) scopes.add(f);
  }
  for (const f of scopes) f.release(`freed by backward() (an activation of ${f.name}.forward that backward() has consumed)`);
}
