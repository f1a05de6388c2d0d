// One hook through which a forward pass can be recorded as a graph (saveOnnx's
// tracer, simdnn/onnx): each differentiable op that a library layer calls reports
// its op, inputs, output and the attributes that define it. Off (one null check)
// unless a tracer is installed for the duration of one forward.
import type { Tensor } from './tensor.js';

export type TraceAttrs = Record<string, unknown>;
export type Tracer = (op: string, inputs: readonly (Tensor | null)[], output: Tensor, attrs: TraceAttrs) => void;

let tracer: Tracer | null = null;

/** Installs `t` (or removes with null) and returns the previous tracer. */
export function setTracer(t: Tracer | null): Tracer | null {
  const prev = tracer;
  tracer = t;
  return prev;
}

/** Reports one op to the tracer, if one is installed. */
export function traceOp(op: string, inputs: readonly (Tensor | null)[], output: Tensor, attrs: TraceAttrs = {}): void {
  if (tracer !== null) tracer(op, inputs, output, attrs);
}
