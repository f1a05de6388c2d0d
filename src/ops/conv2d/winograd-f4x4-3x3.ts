import { backend } from '../../runtime/backend.js';
import { kernels } from '../../runtime/kernel-calls.js';
import { GEMM_PARALLEL_MIN_MACS } from '../gemm.js';
import { balancedRows } from './bands.js';
import type { ConvEpilogue } from './epilogue.js';
import type { ConvGeom } from './geometry.js';
import { withScratch } from './scratch.js';
import { withDerivedWeights } from './weight-cache.js';
import type { Storage } from '../../storage.js';
import { applies as f2Applies, channelsShareBetter } from './winograd-f2x2-3x3.js';

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

/** Tile rows per band (before the thread-count adjustment of the forward pass). */
export function winograd4BandRows(tileRows: number, tilesW: number, channels: number): number {
  return Math.min(balancedRows(tileRows, tilesW, WINOGRAD4_BAND_TILES), balancedRows(tileRows, XI * channels * tilesW, WINOGRAD4_BUDGET_FLOATS));
}

interface Plane { N: number; Cin: number; H: number; W: number; pH: number; pW: number; Cout: number; OH: number; OW: number }

/**
 * y = epilogue(conv3x3(x)) with the transformed filters u ([36][Cout][Cin]) in one
 * dispatch, as winogradConv (conv2d-winograd.ts) does for F(2x2,3x3): threads run
 * whole bands on their own buffers, or split the output channels when the bands
 * cannot be shared evenly. Every output value is computed within one band.
 */
function conv(p: Plane, u: number, epi: ConvEpilogue, x: number, y: number): void {
  const be = backend('conv2d');
  const tilesH = Math.ceil(p.OH / TILE);
  const tilesW = Math.ceil(p.OW / TILE);
  const R = p.N * tilesH;
  if (R === 0) return;
  const threads = XI * p.Cout * p.Cin * R * tilesW < GEMM_PARALLEL_MIN_MACS ? 1 : be.pool.size;
  let rows = winograd4BandRows(R, tilesW, p.Cin + p.Cout);
  const byChannels = threads > 1 && channelsShareBetter(R, rows, p.Cout, threads);
  if (threads > 1 && !byChannels) {
    const bands = Math.ceil(Math.ceil(R / rows) / threads) * threads;
    rows = Math.ceil(R / bands);
  }
  const vShared = byChannels && rows >= R;
  const vFloats = round16(tileFloats(p.Cin, rows * tilesW));
  const mFloats = round16(tileFloats(p.Cout, rows * tilesW) + 4); // +4: the output transform reads whole 4-tile groups
  const lineFloats = round16(kernels.winograd4LineFloats({ tilesW }));
  withScratch([(vShared ? 1 : threads) * vFloats, threads * mFloats, threads * lineFloats], (v, m, line) => {
    if (vShared) kernels.winograd4Input({ x, C: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, tilesH, tilesW, R0: 0, R1: R, v, line }, threads);
    const args = {
      x, I: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, O: p.Cout, OH: p.OH, OW: p.OW, R, rows, u,
      scale: epi.scale, shift: epi.shift, res: epi.residual, relu: epi.relu ? 1 : 0, y,
      v, m, line, vStride: vShared ? 0 : vFloats * 4, mStride: mFloats * 4, lineStride: lineFloats * 4, scratch: be.gemmScratch,
    };
    if (byChannels) kernels.winograd4ConvChannels({ ...args, vReady: vShared ? 1 : 0 }, threads);
    else kernels.winograd4ConvBands(args, threads);
  });
}

/**
 * Runs fn with the transformed filters u of w (36 planes of packed GEMM panels,
 * winograd4PackedPlane apart): kept across calls for `owner` (weight-cache.ts),
 * else made in scratch memory.
 */
function withTransformedWeights(w: number, O: number, I: number, flip: boolean, owner: Storage | null, fn: (u: number) => void): void {
  const n = XI * kernels.winograd4PackedPlane({ O, I });
  const fill = (u: number) => kernels.winograd4Weights({ w, O, I, flip: flip ? 1 : 0, u }, threadsFor(n));
  withDerivedWeights(owner, `winograd4 ${O}x${I}${flip ? ' flipped' : ''}`, n, fill, fn);
}

/** 3x3 stride-1 layers, as F(2x2,3x3). */
export const applies = f2Applies;

/**
 * y = conv(x, w) + b (b: address or 0), or with a fused epilogue instead of the
 * bias; the transformed filters kept for `weights` (weight-cache.ts) unless null.
 */
export function forward(g: ConvGeom, x: number, w: number, b: number, y: number, epi?: ConvEpilogue, weights: Storage | null = null): void {
  withTransformedWeights(w, g.OC, g.C, false, weights, (u) => {
    const e = epi ?? { scale: 0, shift: b, residual: 0, relu: false };
    conv({ N: g.N, Cin: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, Cout: g.OC, OH: g.OH, OW: g.OW }, u, e, x, y);
  });
}

/** forward, keeping the transformed filters of w across calls (ConvAlgorithm.forwardKeepingWeights). */
export function forwardKeepingWeights(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage): void {
  forward(g, x, w, b, y, undefined, weights);
}

export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  withTransformedWeights(w, g.C, g.OC, true, null, (u) => {
    const plain = { scale: 0, shift: 0, residual: 0, relu: false };
    conv({ N: g.N, Cin: g.OC, H: g.OH, W: g.OW, pH: 2 - g.pH, pW: 2 - g.pW, Cout: g.C, OH: g.H, OW: g.W }, u, plain, dy, dx);
  });
}

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
  const rows = winograd4BandRows(R, tilesW, g.C + g.OC);
  const bands = Math.ceil(R / rows);
  const sFloats = XI * kernels.winograd4FilterPlane({ O: g.OC, I: g.C });
  const partials = Math.max(1, Math.min(GRAD_PARTIALS, bands, Math.floor(PARTIALS_FLOATS / sFloats)));
  if (partials === 1 && be.pool.size > 1) return filterByBands(g, x, dy, dw, rows);
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
