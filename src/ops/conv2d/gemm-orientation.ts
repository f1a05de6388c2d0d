import type { ConvGeom } from './geometry.js';

/**
 * Forward GEMM orientation of the im2col and 1x1 paths. 'wcol': y_band = W·col
 * (M = output channels). With few output channels M is a handful of micro-tile
 * rows and the GEMM re-packs the wide col operand for little work, so 'colw'
 * computes the transpose colᵀ·Wᵀ (M = pixels) into a [pixels, channels] buffer
 * and transposes it into the planes. Each output value is the same k-ordered
 * sum either way (same bits).
 */
export type ForwardOrientation = 'wcol' | 'colw';
/**
 * Measured on the GEMM alone (baseline build, one thread): with 64 output channels
 * W·col 41 vs colᵀ·Wᵀ 50 GFLOP/s (VGG / ResNet 1x1 shapes); with 96 W·col 50 vs 43.
 */
export const COLW_MAX_CHANNELS = 64;

export function chooseOrientation(g: ConvGeom): ForwardOrientation {
  return g.OCg <= COLW_MAX_CHANNELS ? 'colw' : 'wcol';
}
