import { backend } from '../../runtime/backend.js';
import { kernels } from '../../runtime/kernel-calls.js';
import { GEMM_PARALLEL_MIN_MACS } from '../gemm.js';
import { balancedRows } from './bands.js';
import type { ConvGeom } from './geometry.js';
import { withScratch } from './scratch.js';
import { withDerivedWeights } from './weight-cache.js';
import type { Storage } from '../../storage.js';
import { applies as f2Applies, channelsShareBetter } from './winograd-f2x2-3x3.js';
import * as f4 from './winograd-f4x4-3x3.js';
import type { ConvEpilogue } from './epilogue.js';

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
const PARALLEL_MIN_FLOATS = 1 << 14;
const threadsFor = (n: number) => (n < PARALLEL_MIN_FLOATS ? 1 : undefined);
const round16 = (n: number) => Math.ceil(n / 16) * 16; // keeps each thread's buffers 64-byte aligned

/** Floats of a band's transformed tiles of `channels` channels and Tb tiles (64 planes padded as F(4x4)'s). */
const tileFloats = (channels: number, Tb: number) => XI * kernels.winograd4TilePlane({ C: channels, Tb });

/** Tile rows per band (before the thread-count adjustment). */
export function winograd6BandRows(tileRows: number, tilesW: number, channels: number): number {
  return Math.min(balancedRows(tileRows, tilesW, WINOGRAD6_BAND_TILES), balancedRows(tileRows, XI * channels * tilesW, WINOGRAD6_BUDGET_FLOATS));
}

interface Plane { N: number; Cin: number; H: number; W: number; pH: number; pW: number; Cout: number; OH: number; OW: number }

/**
 * y = epilogue(conv3x3(x)) with the transformed filters u (64 packed [Cout][Cin]) in one
 * dispatch, threads and bands as F(4x4,3x3)'s conv: whole bands per thread, or
 * the output channels split when the bands cannot be shared evenly. Every
 * output value is computed within one band, so the bits do not depend on the
 * thread count.
 */
function conv(p: Plane, u: number, epi: ConvEpilogue, x: number, y: number): void {
  const be = backend('conv2d');
  const tilesH = Math.ceil(p.OH / TILE);
  const tilesW = Math.ceil(p.OW / TILE);
  const R = p.N * tilesH;
  if (R === 0) return;
  const threads = XI * p.Cout * p.Cin * R * tilesW < GEMM_PARALLEL_MIN_MACS ? 1 : be.pool.size;
  let rows = winograd6BandRows(R, tilesW, p.Cin + p.Cout);
  const byChannels = threads > 1 && channelsShareBetter(R, rows, p.Cout, threads);
  if (threads > 1 && !byChannels) {
    const bands = Math.ceil(Math.ceil(R / rows) / threads) * threads;
    rows = Math.ceil(R / bands);
  }
  const vShared = byChannels && rows >= R;
  const vFloats = round16(tileFloats(p.Cin, rows * tilesW));
  const mFloats = round16(tileFloats(p.Cout, rows * tilesW) + 4); // +4: the output transform reads whole 4-tile groups
  const lineFloats = round16(kernels.winograd6LineFloats({ tilesW }));
  withScratch([(vShared ? 1 : threads) * vFloats, threads * mFloats, threads * lineFloats], (v, m, line) => {
    if (vShared) kernels.winograd6Input({ x, C: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, tilesH, tilesW, R0: 0, R1: R, v, line }, threads);
    const args = {
      x, I: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, O: p.Cout, OH: p.OH, OW: p.OW, R, rows, u,
      scale: epi.scale, shift: epi.shift, res: epi.residual, relu: epi.relu ? 1 : 0, y,
      v, m, line, vStride: vShared ? 0 : vFloats * 4, mStride: mFloats * 4, lineStride: lineFloats * 4, scratch: be.gemmScratch,
    };
    if (byChannels) kernels.winograd6ConvChannels({ ...args, vReady: vShared ? 1 : 0 }, threads);
    else kernels.winograd6ConvBands(args, threads);
  });
}

/**
 * Runs fn with the transformed filters u of w (64 planes of packed GEMM panels,
 * spaced as F(4x4)'s): kept across calls for `owner` (weight-cache.ts), else
 * made in scratch memory.
 */
function withTransformedWeights(w: number, O: number, I: number, flip: boolean, owner: Storage | null, fn: (u: number) => void): void {
  const n = XI * kernels.winograd4PackedPlane({ O, I });
  const fill = (u: number) => kernels.winograd6Weights({ w, O, I, flip: flip ? 1 : 0, u }, threadsFor(n));
  withDerivedWeights(owner, `winograd6 ${O}x${I}${flip ? ' flipped' : ''}`, n, fill, fn);
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

/** F(3x3,4x4)'s filter gradient (see above: no F(3x3,6x6)). */
export const backwardFilter = f4.backwardFilter;
