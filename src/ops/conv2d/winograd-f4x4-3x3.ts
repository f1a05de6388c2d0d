import { backend } from '../../runtime/backend.js';
import { kernels } from '../../runtime/kernel-calls.js';
import { GEMM_PARALLEL_MIN_MACS } from '../gemm.js';
import type { ConvGeom } from './geometry.js';
import { withScratch } from './scratch.js';
import { threadBalancedRows } from './bands.js';
import { applies as f2Applies } from './winograd-f2x2-3x3.js';
import { winogradForwardPasses } from './winograd-forward.js';

/**
 * Winograd F(4x4, 3x3) for the layers F(2x2,3x3) accepts (winograd-f2x2-3x3.ts's applies) (3x3, stride 1):
 * 36 GEMMs of [out, in]·[in, tiles] per band, 4x fewer multiplies than direct
 * (F(2x2,3x3): 2.25x), transforms in assembly/conv2d/winograd-f4x4-3x3.ts. The data
 * gradient is the forward pass of the flipped, transposed filters with padding
 * 2 - p; the filter gradient is the matching F(3x3, 4x4). Which tile a layer
 * gets is winograd-tile.ts's call.
 */

/** Output-tile side. */
const TILE = 4;
/** Transformed positions per tile (6x6). */
const XI = 36;
/**
 * Tiles per band (the N of the 36 GEMMs). Measured (one thread, min of 4 rounds
 * under load, VGG-16 224² 64 / 112² 128 / 56² 256 and ResNet-18 56² 64 at batch 1,
 * after the padded planes of winograd4TilePlane): 96, 128, 192 and 256 within
 * ~10% of each other (128 slightly ahead for the forward pass, not for the data
 * gradient). Kept at 96: the filter gradient shares the bands, and its error
 * grows with the bands' length (128 put conv-paths' 2x32x28² case at 1.47x the
 * oracle tolerance, one partial sum instead of two) ...
 */
export const WINOGRAD4_BAND_TILES = 96;
/** ... and at most this many floats of V + M per band. */
export const WINOGRAD4_BUDGET_FLOATS = 1 << 21;
/** The filter gradient's partial sums (see winogradBackwardFilter) and their float budget. */
const GRAD_PARTIALS = 4;
const PARTIALS_FLOATS = 1 << 22;
const PARALLEL_MIN_FLOATS = 1 << 14;
const threadsFor = (n: number) => (n < PARALLEL_MIN_FLOATS ? 1 : undefined);
const round16 = (n: number) => Math.ceil(n / 16) * 16; // keeps each thread's buffers 64-byte aligned

/** Floats of a band's transformed tiles of `channels` channels and Tb tiles (36 padded planes). */
const tileFloats = (channels: number, Tb: number) => XI * kernels.winograd4TilePlane({ C: channels, Tb });

const passes = winogradForwardPasses({
  tile: TILE, xi: XI, bandTiles: WINOGRAD4_BAND_TILES, budgetFloats: WINOGRAD4_BUDGET_FLOATS, cacheName: 'winograd4',
  // looked up per call, not captured: tests spy on the kernel table's entries
  lineFloats: (a) => kernels.winograd4LineFloats(a), input: (a, t) => kernels.winograd4Input(a, t),
  weights: (a, t) => kernels.winograd4Weights(a, t), convBands: (a, t) => kernels.winograd4ConvBands(a, t),
  convChannels: (a, t) => kernels.winograd4ConvChannels(a, t),
});

/** Tile rows per band (before the thread-count adjustment of the forward pass). */
export const winograd4BandRows = passes.bandRows;

/** 3x3 stride-1 layers, as F(2x2,3x3). */
export const applies = f2Applies;

/**
 * y = conv(x, w) + b (b: address or 0), or with a fused epilogue instead of the
 * bias; the transformed filters kept for `weights` (weight-cache.ts) unless null.
 * The data gradient is the forward pass of the flipped, transposed filters (winograd-forward.ts).
 */
export const { forward, forwardKeepingWeights, backwardData } = passes;

/**
 * dw by Winograd F(3x3, 4x4): per band of tile rows the input tiles (V, as in
 * the forward pass) and the 4x4 dy tiles (D) are transformed and S[ξ] += D[ξ]·V[ξ]ᵀ.
 * Bands go to P partial sums (band b to partial b % P, P from the shapes only),
 * which run one per thread and are added in order at the end, so the bits do
 * not depend on the thread count; then one transform turns S into the filters.
 */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  const be = backend('conv2d');
  const tilesW = Math.ceil(g.OW / TILE);
  const R = g.N * Math.ceil(g.OH / TILE);
  const most = winograd4BandRows(R, tilesW, g.C + g.OC);
  const sFloats = XI * kernels.winograd4FilterPlane({ O: g.OC, I: g.C });
  const partials = Math.max(1, Math.min(GRAD_PARTIALS, Math.ceil(R / most), Math.floor(PARTIALS_FLOATS / sFloats)));
  if (partials === 1 && be.pool.size > 1) return filterByBands(g, x, dy, dw, most);
  // Bands sized so the partial sums (one per thread) hold equal tile rows, from
  // the shapes only; a band costs about a tile row more (it adds into its partial sum).
  const rows = partials > 1 ? threadBalancedRows(R, most, partials, 1) : most;
  const threads = Math.min(be.pool.size, partials);
  const vFloats = round16(tileFloats(g.C, rows * tilesW));
  const dFloats = round16(tileFloats(g.OC, rows * tilesW));
  const lineFloats = round16(kernels.winograd4LineFloats({ tilesW }));
  withScratch([partials * sFloats, threads * vFloats, threads * dFloats, threads * lineFloats], (s, v, d, line) => {
    kernels.winograd4GradBands({
      x, I: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, dy, O: g.OC, OH: g.OH, OW: g.OW, R, rows, P: partials,
      s, v, d, line, vStride: vFloats * 4, dStride: dFloats * 4, lineStride: lineFloats * 4, scratch: be.gemmScratch,
    }, threads);
    kernels.winograd4GradReduce({ s, P: partials, O: g.OC, I: g.C, dw }, threadsFor(partials * sFloats));
  });
}

/**
 * The filter gradient with one partial sum on several threads (one band, or
 * sums too large to keep several): band by band, the transforms split by
 * channel and the 36 GEMMs dealt whole to the threads. The same values and GEMM
 * calls as winograd4GradBands with P = 1 on one thread, so the same bits.
 */
function filterByBands(g: ConvGeom, x: number, dy: number, dw: number, rows: number): void {
  const be = backend('conv2d');
  const tilesH = Math.ceil(g.OH / TILE);
  const tilesW = Math.ceil(g.OW / TILE);
  const R = g.N * tilesH;
  const floats = [
    be.pool.size * kernels.winograd4LineFloats({ tilesW }), tileFloats(g.C, rows * tilesW), tileFloats(g.OC, rows * tilesW),
    XI * kernels.winograd4FilterPlane({ O: g.OC, I: g.C }),
  ];
  withScratch(floats, (line, v, d, s) => {
    for (let R0 = 0; R0 < R; R0 += rows) {
      const R1 = Math.min(R, R0 + rows);
      const Tb = (R1 - R0) * tilesW;
      kernels.winograd4Input({ x, C: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, tilesH, tilesW, R0, R1, v, line }, threadsFor(XI * g.C * Tb));
      kernels.winograd4GradTiles({ dy, O: g.OC, OH: g.OH, OW: g.OW, tilesH, tilesW, R0, R1, d, line }, threadsFor(XI * g.OC * Tb));
      kernels.winograd4GradGemms({ d, v, s, O: g.OC, I: g.C, Tb, accumulate: R0 > 0 ? 1 : 0, scratch: be.gemmScratch },
        XI * g.OC * g.C * Tb < GEMM_PARALLEL_MIN_MACS ? 1 : undefined);
    }
    kernels.winograd4GradReduce({ s, P: 1, O: g.OC, I: g.C, dw }, threadsFor(XI * g.OC * g.C));
  });
}
