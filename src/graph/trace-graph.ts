// Records one forward as a Graph through the trace hook (src/trace.ts) that the
// public ops report to. The forward runs as usual (its result is the caller's);
// the graph is what it did, valid for inputs of the same shapes as long as the
// modules it ran keep their state (src/graph/module-graph.ts checks that).
import { setTracer, type TraceAttrs, type Tracer } from '../trace.js';
import { Tensor } from '../tensor.js';
import type { Graph, GraphNode, ValueId } from './ir.js';

export interface TraceOptions {
  /**
   * What a tensor that no traced op made and that is not an input becomes:
   * 'constant' (saveOnnx: it writes its value), or 'persistent-only' (the
   * executor: only parameters, buffers and kept tensors, which live on, may be
   * referenced; anything else means an untraced op ran and the trace is incomplete).
   */
  unknown: 'constant' | 'persistent-only';
  /** Graph modules report their own graph as one op (saveOnnx); else the ops they run. */
  subgraphs: boolean;
}

export interface TraceResult {
  /** null when the forward did something the graph cannot hold (`reason` says what) */
  graph: Graph | null;
  reason: string | null;
  /** what the forward returned */
  result: unknown;
}

/** Runs `run` (one forward on `inputs`) with a tracer installed and returns the graph it recorded. */
export function traceGraph(run: () => unknown, inputs: readonly Tensor[], opts: TraceOptions): TraceResult {
  const ids = new Map<Tensor, ValueId>();
  const shapes: number[][] = [];
  const constants = new Map<ValueId, Tensor>();
  const nodes: GraphNode[] = [];
  let reason: string | null = null;
  const define = (t: Tensor): ValueId => {
    const id = shapes.length;
    shapes.push(t.shape.slice());
    ids.set(t, id);
    return id;
  };
  const idOf = (t: Tensor, op: string): ValueId => {
    const known = ids.get(t);
    if (known !== undefined) return known;
    if (opts.unknown === 'persistent-only' && !t.storage.persistent) {
      reason ??= `${op} reads a tensor of shape [${t.shape.join(', ')}] that no traced op made (an op the graph cannot record ran before it)`;
    }
    const id = define(t);
    constants.set(id, t);
    return id;
  };
  const graphInputs = inputs.map((t) => define(t));
  const tracer: Tracer = (op: string, ins: readonly (Tensor | null)[], out: Tensor, attrs: TraceAttrs) => {
    const inputIds = ins.map((t) => (t === null || t === undefined ? null : idOf(t, op)));
    nodes.push({ op, inputs: inputIds, output: define(out), attrs });
  };
  tracer.wantsSubgraphs = opts.subgraphs;
  const prev = setTracer(tracer);
  let result: unknown;
  try {
    result = run();
  } finally {
    setTracer(prev);
  }
  const returnsArray = Array.isArray(result);
  const outs: unknown[] = returnsArray ? (result as unknown[]) : [result];
  if (outs.length === 0 || !outs.every((t) => t instanceof Tensor)) {
    return { graph: null, reason: 'the forward must return a Tensor or an array of Tensors', result };
  }
  const outputs = (outs as Tensor[]).map((t) => idOf(t, 'the forward\'s result'));
  if (reason !== null) return { graph: null, reason, result };
  return { graph: prune({ inputs: graphInputs, outputs, returnsArray, nodes, shapes, constants }), reason: null, result };
}

/** Drops the nodes no output depends on (an op traced inside another, a value computed and unused). */
function prune(g: Graph): Graph {
  const need = new Set<ValueId>(g.outputs);
  const keep = new Array<boolean>(g.nodes.length).fill(false);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!need.has(n.output)) continue;
    keep[i] = true;
    for (const v of n.inputs) if (v !== null) need.add(v);
  }
  return { ...g, nodes: g.nodes.filter((_, i) => keep[i]) };
}
