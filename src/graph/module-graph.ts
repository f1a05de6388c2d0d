// Which module calls run as a graph (docs/graph.md): under noGrad, a call of a
// library module (the class sets `_keepsNoActivations`: its forward depends only
// on its inputs and its own state, and keeps nothing it sees) on float tensors,
// whose whole tree is library modules with no hook at all, and that no tracer
// is recording. The first call per input shapes traces the forward (it runs as
// usual: that call's result is the eager one) and plans it; the next calls run
// the plan. Anything the trace cannot record, or the plan cannot replay, makes
// that shape run eagerly (the forward itself) from then on.
//
// The plan is valid while the module tree is what it was: every module, its
// `training` flag and every own property (sub-modules, parameter tensors, a conv's
// bias, a batch norm's `folded`, …) are compared at each call with what they were
// at the trace, and any change re-traces. Parameter and buffer *values* may change
// freely (an optimizer step, loadStateDict): the plan reads them at each run.
import { isGradEnabled } from '../autograd.js';
import { openForward } from '../memory/forward-scope.js';
import type { Module } from '../nn/module.js';
import { collect } from '../scope.js';
import type { Storage } from '../storage.js';
import { isTensor, Tensor } from '../tensor.js';
import { currentTracer } from '../trace.js';
import { executePlan } from './execute.js';
import { planGraph, type Plan } from './plan.js';
import { traceGraph } from './trace-graph.js';

interface Entry {
  snapshot: unknown[];
  /** null: this shape runs eagerly (`reason` says why) */
  plan: Plan | null;
  reason: string | null;
}

/** Plans per module, by input shapes; a few shapes each (the oldest goes first). */
const plans = new WeakMap<Module, Map<string, Entry>>();
const MAX_SHAPES = 8;

/** Whether `m`'s own class is a library layer (set as the class's own static, never inherited by user subclasses). */
export function isLibraryModule(m: Module): boolean {
  const ctor = m.constructor as typeof Module;
  return Object.prototype.hasOwnProperty.call(ctor, '_keepsNoActivations') && ctor._keepsNoActivations;
}

/** What a plan depends on, in a fixed order; null where the tree does not qualify (a user module, a hook). */
function treeState(root: Module): unknown[] | null {
  const out: unknown[] = [];
  for (const [, m] of root.namedModules()) {
    if (!isLibraryModule(m) || m._hasHooks(true)) return null;
    out.push(m);
    const own = m as unknown as Record<string, unknown>;
    for (const k of Object.keys(m)) {
      const v = own[k];
      out.push(v);
      if (Array.isArray(v)) out.push(v.length, ...v);
      else if (v instanceof Map) out.push(v.size, ...v.values());
    }
  }
  return out;
}

/** >0 while this file traces a forward (the trace's own call runs eagerly). */
let tracing = 0;

/**
 * A library module's forward inside a trace: run as usual, then free what it
 * made and did not return. A library module keeps nothing it makes, so nothing
 * can read those activations later; freeing them here, instead of when the
 * traced forward returns, keeps the tracing call's peak near the plan's (every
 * block's internals would otherwise live until the whole model has run).
 */
function runFreeingInternals(module: Module, impl: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  const scope = openForward();
  if (scope === null || !isLibraryModule(module) || module._hasHooks(true)) return impl.apply(module, args);
  const from = scope.made.length;
  const out = impl.apply(module, args);
  const results = new Set<Tensor>();
  collect(out, results, isTensor);
  const kept = new Set<Storage>([...results].map((t) => t.storage));
  const made = scope.made.splice(from);
  for (const s of made) {
    if (s.forward === scope && !s.persistent && !kept.has(s) && !scope.escaped.has(s)) {
      s.releaseWith(`freed when ${module.typeName}.forward returned under noGrad (an activation the module did not return)`);
      s.forward = null;
    } else scope.made.push(s);
  }
  return out;
}

const sameState = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Runs `module`'s forward (`impl`) on `args` as a graph when it qualifies
 * (see the file comment); null when it does not, for the caller to run `impl`.
 */
export function graphForward(module: Module, impl: (...args: unknown[]) => unknown, args: unknown[]): { out: unknown } | null {
  if (isGradEnabled() || args.length === 0) return null;
  if (currentTracer() !== null) return tracing > 0 ? { out: runFreeingInternals(module, impl, args) } : null;
  for (const a of args) if (!(a instanceof Tensor) || a.dtype !== 'float32' || a.isDisposed) return null;
  if (!isLibraryModule(module)) return null; // a user module: no walk over its tree (its library children get their own call)
  const state = treeState(module);
  if (state === null) return null;
  const xs = args as Tensor[];
  const key = xs.map((x) => x.shape.join('x')).join(',');
  let byShape = plans.get(module);
  if (!byShape) plans.set(module, (byShape = new Map()));
  const e = byShape.get(key);
  if (e && sameState(e.snapshot, state)) {
    if (e.plan === null) return null;
    const outs = executePlan(e.plan, xs);
    return { out: e.plan.graph.returnsArray ? outs : outs[0] };
  }
  tracing++;
  let t;
  try {
    t = traceGraph(() => impl.apply(module, args), xs, { unknown: 'persistent-only', subgraphs: false });
  } finally {
    tracing--;
  }
  const planned = t.graph ? planGraph(t.graph) : t.reason!;
  byShape.delete(key);
  if (byShape.size >= MAX_SHAPES) byShape.delete(byShape.keys().next().value!);
  byShape.set(key, typeof planned === 'string' ? { snapshot: state, plan: null, reason: planned } : { snapshot: state, plan: planned, reason: null });
  return { out: t.result };
}

/** @internal Why `module` runs eagerly at these input shapes under noGrad (null: it runs as a graph, or has not run). For tests and docs. */
export function graphFallbackReason(module: Module, shapes: number[][]): string | null {
  return plans.get(module)?.get(shapes.map((s) => s.join('x')).join(','))?.reason ?? null;
}

/** @internal The plan `module` runs at these input shapes under noGrad, if any (tests read its steps). */
export function graphPlanOf(module: Module, shapes: number[][]): Plan | null {
  return plans.get(module)?.get(shapes.map((s) => s.join('x')).join(','))?.plan ?? null;
}
