// The one door from src/onnx/ into the core: everything comes from the main
// entry, so that the `simdnn/onnx` bundle imports dist/index.js (scripts/bundle.mjs
// marks this import external) and shares its runtime instead of copying it.
export * as sn from '../index.js';
export { Tensor, SimdnnError, F, nn } from '../index.js';
import { _internal } from '../index.js';
export const { isGradEnabled, keep, setTracer, pointwiseJs, hardtanh, traceGraph } = _internal;
export type { Tracer, TraceAttrs } from '../trace.js';
export type { Graph as TracedGraph, GraphNode as TracedNode, ValueId } from '../graph/ir.js';
