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

/**
 * During backward(): frees each internal activation as soon as the last node
 * of the graph that saved or read it has run (its producer, which may have
 * saved it as its output, and every node that took it as an input), instead
 * of all of them at the end, so the peak of a training step is not every
 * activation plus every gradient. Storages a node could hold in other ways
 * (an op's own temporaries) are not in the graph and go at the end, as before.
 * Returns the function to call after each tensor of `order` was processed.
 */
export function graphReleaser(order: readonly Tensor[]): (t: Tensor) => void {
  const left = new Map<Storage, number>();
  const internal = (s: Storage) => s.forward !== null && s.forward.awaitingBackward && !s.persistent && !s.forward.escaped.has(s);
  const add = (s: Storage) => {
    if (internal(s)) left.set(s, (left.get(s) ?? 0) + 1);
  };
  const drop = (s: Storage) => {
    const n = left.get(s);
    if (n === undefined) return;
    if (n > 1) {
      left.set(s, n - 1);
      return;
    }
    left.delete(s);
    if (internal(s)) s.releaseWith(`freed by backward() (an activation of ${s.forward!.name}.forward that backward() has consumed)`);
  };
  for (const t of order) {
    if (t.gradFn === null) continue;
    add(t.storage);
    for (const x of t.gradFn.inputs) add(x.storage);
  }
  return (t) => {
    if (t.gradFn === null) return;
    drop(t.storage);
    for (const x of t.gradFn.inputs) drop(x.storage);
  };
}
