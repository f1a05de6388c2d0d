// One hook through which a forward pass is recorded as a graph (src/graph/:
// the no-grad executor's traces and saveOnnx's): each differentiable op that a
// library layer calls reports its op, inputs, output and the attributes that
// define it. Off (one null check) unless a tracer is installed for the duration
// of one forward.
import type { Tensor } from './tensor.js';

export type TraceAttrs = Record<string, unknown>;
/**
 * Receives each op. `wantsSubgraphs`: a module that runs a graph of its own
 * (loadOnnx's) reports that graph as one 'onnxGraph' op (saveOnnx re-exports it
 * as it is) instead of the core ops it runs on (what the executor replays).
 */
export type Tracer = ((op: string, inputs: readonly (Tensor | null)[], output: Tensor, attrs: TraceAttrs) => void) & { wantsSubgraphs?: boolean };

let tracer: Tracer | null = null;

/** Installs `t` (or removes with null) and returns the previous tracer. */
export function setTracer(t: Tracer | null): Tracer | null {
  const prev = tracer;
  tracer = t;
  return prev;
}

/** The tracer installed now, if any. */
export function currentTracer(): Tracer | null {
  return tracer;
}

/** Reports one op to the tracer, if one is installed. */
export function traceOp(op: string, inputs: readonly (Tensor | null)[], output: Tensor, attrs: TraceAttrs = {}): void {
  if (tracer !== null) tracer(op, inputs, output, attrs);
}
