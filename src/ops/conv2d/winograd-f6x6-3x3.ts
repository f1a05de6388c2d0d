import { kernels } from '../../runtime/kernel-calls.js';
import { applies as f2Applies } from './winograd-f2x2-3x3.js';
import * as f4 from './winograd-f4x4-3x3.js';
import { winogradForwardPasses } from './winograd-forward.js';

/**
 * Winograd F(6x6, 3x3) for the layers F(2x2,3x3) accepts (3x3, stride 1): 64
 * GEMMs of [out, in]·[in, tiles] per band, 5.06x fewer multiplies than direct
 * (F(4x4,3x3): 4x) but a larger rounding error, transforms in
 * assembly/conv2d/winograd-f6x6-3x3.ts. The data gradient is the forward pass
 * of the flipped, transposed filters with padding 2 - p, as for F(4x4). There
 * is no F(3x3,6x6) filter gradient: winograd-tile.ts never picks tile 6 for
 * that pass, and backwardFilter here (reached only when a test forces this
 * path) is F(3x3,4x4)'s. Where F(6x6) is picked is winograd-tile.ts's call.
 */

/** Output-tile side. */
const TILE = 6;
/** Transformed positions per tile (8x8). */
const XI = 64;
/** Tiles per band (the N of the 64 GEMMs), as F(4x4,3x3)'s (128 and 160 showed no clear gain under load: 56² +8%, 56² batch 8 -4% or worse) ... */
export const WINOGRAD6_BAND_TILES = 96;
/** ... and at most this many floats of V + M per band. */
export const WINOGRAD6_BUDGET_FLOATS = 1 << 21;

const passes = winogradForwardPasses({
  tile: TILE, xi: XI, bandTiles: WINOGRAD6_BAND_TILES, budgetFloats: WINOGRAD6_BUDGET_FLOATS, cacheName: 'winograd6',
  // looked up per call, not captured: tests spy on the kernel table's entries
  lineFloats: (a) => kernels.winograd6LineFloats(a), input: (a, t) => kernels.winograd6Input(a, t),
  weights: (a, t) => kernels.winograd6Weights(a, t), convBands: (a, t) => kernels.winograd6ConvBands(a, t),
  convChannels: (a, t) => kernels.winograd6ConvChannels(a, t),
});

/** Tile rows per band (before the thread-count adjustment). */
export const winograd6BandRows = passes.bandRows;

/** 3x3 stride-1 layers, as F(2x2,3x3). */
export const applies = f2Applies;

/**
 * y = conv(x, w) + b (b: address or 0), or with a fused epilogue instead of the
 * bias; the transformed filters kept for `weights` (weight-cache.ts) unless null;
 * the data gradient (winograd-forward.ts).
 */
export const { forward, forwardKeepingWeights, backwardData } = passes;

/** F(3x3,4x4)'s filter gradient (see above: no F(3x3,6x6)). */
export const backwardFilter = f4.backwardFilter;
