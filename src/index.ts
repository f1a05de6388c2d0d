// simdnn: train and run CNNs on CPUs with WebAssembly SIMD and worker threads.
// The public surface is fixed by API.md; this file only re-exports it.
import { isTensor, type Tensor } from './tensor.js';
import { tidy as tidyScope } from './scope.js';
import { SimdnnError } from './errors.js';
import './backward.js'; // binds Tensor.backward
import './tensor-methods/index.js'; // installs the op methods (add, sum, …) on Tensor

export { init, backendInfo, shutdown } from './runtime/backend.js';
export type { InitOptions, BackendInfo } from './runtime/backend.js';
export { SimdnnError } from './errors.js';
export { Tensor } from './tensor.js';
export type { DType } from './tensor.js';
export { noGrad } from './memory/no-grad-boundary.js';
export { manualSeed } from './random.js';
export * as autograd from './autograd-grad.js';
export { keep } from './scope.js';
export { tensor, zeros, ones, full, randn, rand } from './ops/basic.js';
export type { TensorOptions } from './ops/basic.js';
export { matmul } from './ops/matmul.js';
export { reshape } from './ops/basic.js';
export { permute, transpose } from './ops/permute.js';
export { squeeze, unsqueeze, flatten } from './ops/dims.js';
export { narrow, slice, select } from './ops/slicing.js';
export { expand } from './ops/expand.js';
export { indexSelect, gather, scatterAdd } from './ops/indexing.js';
export { maskedFill } from './ops/masked-fill.js';
export { cat, stack, split, chunk } from './ops/join.js';
export { einsum } from './ops/einsum.js';
export { add, sub, mul, div, pow, maximum, minimum } from './ops/elementwise.js';
export { neg, abs, exp, log, sqrt, rsqrt, square, sign, clamp } from './ops/unary.js';
export { eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalNot, where } from './ops/compare.js';
export { sum, mean, prod, amax, amin, logsumexp, variance as var, std, norm } from './ops/reduce.js';
export type { VarOptions } from './ops/reduce.js';
export { max, min, argmax, argmin, topk, sort, cumsum } from './ops/reduce-index.js';
export type { ValuesIndices, TopkOptions, SortOptions } from './ops/reduce-index.js';
export * as F from './functional.js';
export * as nn from './nn/index.js';
export * as models from './models/index.js';
export * as io from './io/index.js';
export { summary } from './summary.js';
export type { Summary, SummaryRow } from './summary.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';

/**
 * Runs `fn` and releases every tensor it created except those it returns (and
 * those passed to `keep`, and parameter gradients). Wrap a training step in it
 * and memory use stays flat from the second step on.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new SimdnnError('tidy', `expects a function to run, got ${typeof fn}`);
  return tidyScope(fn, isTensor);
}
export * as optim from './optim/index.js';
/** @internal For simdnn's own entries (simdnn/onnx) to share this runtime; not API (src/internal.ts). */
export * as _internal from './internal.js';
