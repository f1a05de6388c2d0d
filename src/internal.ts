// @internal What simdnn's own extra entries (`simdnn/onnx`) need from the core
// beyond the public API, exported through the main entry so that dist/onnx.js
// imports it from dist/index.js and shares one runtime (one wasm memory, one
// Tensor class, one autograd tape) instead of bundling a second copy. Not API.
export { isGradEnabled } from './autograd.js';
export { keep } from './scope.js';
export { setTracer, type Tracer, type TraceAttrs } from './trace.js';
export { pointwiseJs } from './ops/pointwise-js.js';
export { hardtanh } from './ops/hardtanh.js';
export { chooseWinogradTile, costFeatures as winogradCostFeatures, forceWinogradTile } from './ops/conv2d/winograd-tile.js';
export { traceGraph } from './graph/trace-graph.js';
// simdnn/node's WorkerDataLoader marks a step boundary per batch (src/data/node/core.ts).
export { stepBoundary } from './memory/steps.js';
// bench/train-amdahl.mjs times each share of every pool call on one core (src/runtime/pool.ts).
export { setShareProbe, type ShareProbe } from './runtime/pool.js';
