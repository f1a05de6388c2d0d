import { CONV_ALGORITHMS, type ConvPath } from './algorithms.js';
import type { ConvGeom } from './geometry.js';
import { dataTile, filterTile, forwardTile } from './winograd-tile.js';

/** The three computations of a conv layer; each may take its own Winograd tile. */
export type ConvPass = 'forward' | 'data' | 'filter';

/**
 * The one place a layer's algorithm is chosen, first that applies:
 * - 'small': LeNet-sized layers, direct kernels (small.ts);
 * - 'depthwise': groups == C, one plane at a time (depthwise.ts);
 * - 'direct-1x1': 1x1 stride 1, the input planes are the GEMM operand (direct-1x1.ts);
 * - Winograd for 3x3 stride 1 with enough channels: F(2x2,3x3)
 *   (winograd-f2x2-3x3.ts), F(4x4,3x3) (winograd-f4x4-3x3.ts) or F(6x6,3x3)
 *   (winograd-f6x6-3x3.ts) for the forward pass and the data gradient, the
 *   matching F(3x3,2x2) or F(3x3,4x4) for the
 *   filter gradient, each pass's tile picked by the measured cost model of
 *   winograd-tile.ts;
 * - 'im2col': everything else, columns of a band of output rows then GEMMs (im2col.ts).
 */
const ORDER: readonly ConvPath[] = ['small', 'depthwise', 'direct-1x1', 'winograd-f2x2-3x3', 'im2col'];

const TILE_OF_PASS = { forward: forwardTile, data: dataTile, filter: filterTile } as const;

export function choosePath(g: ConvGeom, pass: ConvPass = 'forward'): ConvPath {
  const path = ORDER.find((p) => CONV_ALGORITHMS[p].applies(g)) ?? 'im2col';
  if (path !== 'winograd-f2x2-3x3') return path;
  const tile = TILE_OF_PASS[pass](g);
  return tile === 4 ? 'winograd-f4x4-3x3' : tile === 6 ? 'winograd-f6x6-3x3' : path;
}
