import { CONV_ALGORITHMS, type ConvPath } from './algorithms.js';
import type { ConvGeom } from './geometry.js';

/**
 * The one place a layer's algorithm is chosen, first that applies:
 * - 'small': LeNet-sized layers, direct kernels (small.ts);
 * - 'depthwise': groups == C, one plane at a time (depthwise.ts);
 * - 'direct-1x1': 1x1 stride 1, the input planes are the GEMM operand (direct-1x1.ts);
 * - 'winograd-f2x2-3x3': 3x3 stride 1 with enough channels, F(2x2,3x3) for the
 *   forward pass and the data gradient, F(3x3,2x2) for the filter gradient;
 * - 'im2col': everything else, columns of a band of output rows then GEMMs (im2col.ts).
 */
const ORDER: readonly ConvPath[] = ['small', 'depthwise', 'direct-1x1', 'winograd-f2x2-3x3', 'im2col'];

export function choosePath(g: ConvGeom): ConvPath {
  return ORDER.find((p) => CONV_ALGORITHMS[p].applies(g)) ?? 'im2col';
}
