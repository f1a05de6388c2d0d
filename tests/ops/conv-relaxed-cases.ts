import type { Conv2dOptions } from '../../src/ops/conv2d/index.js';

/** One layer per conv2d path: Winograd (each tile, forced), im2col (both GEMM orientations), 1x1. */
export const CONV_RELAXED_LAYERS: { xs: number[]; ws: number[]; opts: Conv2dOptions; tile?: 2 | 4 | 6 }[] = [
  { xs: [2, 16, 10, 9], ws: [24, 16, 3, 3], opts: { padding: 1 }, tile: 2 },
  { xs: [2, 17, 13, 11], ws: [20, 17, 3, 3], opts: { padding: 1 }, tile: 4 },
  { xs: [2, 17, 15, 13], ws: [20, 17, 3, 3], opts: { padding: 1 }, tile: 6 },
  { xs: [2, 3, 23, 23], ws: [96, 3, 5, 5], opts: { stride: 2, padding: 1 } },
  { xs: [4, 6, 14, 14], ws: [16, 6, 5, 5], opts: {} },
  { xs: [2, 32, 7, 7], ws: [8, 32, 1, 1], opts: {} },
];
