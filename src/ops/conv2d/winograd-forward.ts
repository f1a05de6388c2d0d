import { backend } from '../../runtime/backend.js';
import { kernels } from '../../runtime/kernel-calls.js';
import { NR } from '../../runtime/kernel-table.generated.js';
import type { Storage } from '../../storage.js';
import { GEMM_PARALLEL_MIN_MACS } from '../gemm.js';
import { balancedRows, threadBalancedRows } from './bands.js';
import type { ConvEpilogue } from './epilogue.js';
import type { ConvGeom } from './geometry.js';
import { withScratch } from './scratch.js';
import { withDerivedWeights } from './weight-cache.js';
import { channelsShareBetter } from './winograd-f2x2-3x3.js';

/**
 * The forward pass (and the data gradient, which is the forward pass of the
 * flipped, transposed filters with padding 2 - p) of the packed-filter Winograd
 * tiles, F(4x4,3x3) and F(6x6,3x3): one driver over each tile's assembly
 * (assembly/conv2d/winograd-f4x4-3x3.ts, -f6x6-3x3.ts), whose kernels take the
 * same arguments. Both use F(4x4)'s padded tile planes and packed filter planes.
 */
export interface WinogradTileKernels {
  /** Output-tile side (4, 6) and transformed positions per tile (36, 64). */
  tile: number;
  xi: number;
  /** Tiles per band (the N of the band GEMMs) and at most this many floats of V + M per band. */
  bandTiles: number;
  budgetFloats: number;
  /** The weight cache's key prefix. */
  cacheName: string;
  lineFloats: typeof kernels.winograd4LineFloats;
  input: typeof kernels.winograd4Input;
  weights: typeof kernels.winograd4Weights;
  convBands: typeof kernels.winograd4ConvBands;
  convChannels: typeof kernels.winograd4ConvChannels;
}

const PARALLEL_MIN_FLOATS = 1 << 14;
const threadsFor = (n: number) => (n < PARALLEL_MIN_FLOATS ? 1 : undefined);
const round16 = (n: number) => Math.ceil(n / 16) * 16; // keeps each thread's buffers 64-byte aligned

/**
 * Of the band sizes from `rows` down to half of it, the largest whose tiles
 * (the N of the band GEMMs) fill whole NR-column panels, else `rows`: a last
 * partial panel runs the full micro-kernel on a scratch tile and copies it out.
 * Measured (one thread, process CPU time, alternating calls, under load): ResNet-18
 * 56² 64 at batch 1 (bands of 5 tile rows, 70 tiles -> 4, 56) and batch 8 (6, 84 -> 4, 56)
 * 3-4% faster with F(4x4), 8-10% with F(6x6) (bands of 40 tiles). The forward pass computes every output value within one band,
 * so its band size does not change bits.
 */
export function wholePanelRows(rows: number, tilesW: number): number {
  for (let r = rows; 2 * r >= rows; r--) if ((r * tilesW) % NR === 0) return r;
  return rows;
}

interface Plane { N: number; Cin: number; H: number; W: number; pH: number; pW: number; Cout: number; OH: number; OW: number }

export function winogradForwardPasses(k: WinogradTileKernels) {
  /** Floats of a band's transformed tiles of `channels` channels and Tb tiles (xi padded planes). */
  const tileFloats = (channels: number, Tb: number) => k.xi * kernels.winograd4TilePlane({ C: channels, Tb });

  /** Tile rows per band (before the thread-count adjustment of the forward pass). */
  function bandRows(tileRows: number, tilesW: number, channels: number): number {
    return Math.min(balancedRows(tileRows, tilesW, k.bandTiles), balancedRows(tileRows, k.xi * channels * tilesW, k.budgetFloats));
  }

  /**
   * y = epilogue(conv3x3(x)) with the transformed filters u in one dispatch, as
   * winogradConv (winograd-f2x2-3x3.ts) does for F(2x2,3x3): threads run whole
   * bands on their own buffers, or split the output channels when the bands
   * cannot be shared evenly. Every output value is computed within one band, so
   * the bits do not depend on the thread count.
   */
  function conv(p: Plane, u: number, epi: ConvEpilogue, x: number, y: number): void {
    const be = backend('conv2d');
    const tilesH = Math.ceil(p.OH / k.tile);
    const tilesW = Math.ceil(p.OW / k.tile);
    const R = p.N * tilesH;
    if (R === 0) return;
    const threads = k.xi * p.Cout * p.Cin * R * tilesW < GEMM_PARALLEL_MIN_MACS ? 1 : be.pool.size;
    let rows = wholePanelRows(bandRows(R, tilesW, p.Cin + p.Cout), tilesW);
    const byChannels = threads > 1 && channelsShareBetter(R, rows, p.Cout, threads);
    if (threads > 1 && !byChannels) {
      const bands = Math.ceil(Math.ceil(R / rows) / threads) * threads;
      rows = threadBalancedRows(R, Math.ceil(R / bands), threads); // bands split evenly over the threads (bench/train-amdahl.mjs)
    }
    const vShared = byChannels && rows >= R;
    const vFloats = round16(tileFloats(p.Cin, rows * tilesW));
    const mFloats = round16(tileFloats(p.Cout, rows * tilesW) + 4); // +4: the output transform reads whole 4-tile groups
    const lineFloats = round16(k.lineFloats({ tilesW }));
    withScratch([(vShared ? 1 : threads) * vFloats, threads * mFloats, threads * lineFloats], (v, m, line) => {
      if (vShared) k.input({ x, C: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, tilesH, tilesW, R0: 0, R1: R, v, line }, threads);
      const args = {
        x, I: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, O: p.Cout, OH: p.OH, OW: p.OW, R, rows, u,
        scale: epi.scale, shift: epi.shift, res: epi.residual, relu: epi.relu ? 1 : 0, y,
        v, m, line, vStride: vShared ? 0 : vFloats * 4, mStride: mFloats * 4, lineStride: lineFloats * 4, scratch: be.gemmScratch,
      };
      if (byChannels) k.convChannels({ ...args, vReady: vShared ? 1 : 0 }, threads);
      else k.convBands(args, threads);
    });
  }

  /**
   * Runs fn with the transformed filters u of w (xi planes of packed GEMM panels,
   * winograd4PackedPlane apart): kept across calls for `owner` (weight-cache.ts),
   * else made in scratch memory.
   */
  function withTransformedWeights(w: number, O: number, I: number, flip: boolean, owner: Storage | null, fn: (u: number) => void): void {
    const n = k.xi * kernels.winograd4PackedPlane({ O, I });
    const fill = (u: number) => k.weights({ w, O, I, flip: flip ? 1 : 0, u }, threadsFor(n));
    withDerivedWeights(owner, `${k.cacheName} ${O}x${I}${flip ? ' flipped' : ''}`, n, fill, fn);
  }

  /**
   * y = conv(x, w) + b (b: address or 0), or with a fused epilogue instead of the
   * bias; the transformed filters kept for `weights` (weight-cache.ts) unless null.
   */
  function forward(g: ConvGeom, x: number, w: number, b: number, y: number, epi?: ConvEpilogue, weights: Storage | null = null): void {
    withTransformedWeights(w, g.OC, g.C, false, weights, (u) => {
      const e = epi ?? { scale: 0, shift: b, residual: 0, relu: false };
      conv({ N: g.N, Cin: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, Cout: g.OC, OH: g.OH, OW: g.OW }, u, e, x, y);
    });
  }

  /** forward, keeping the transformed filters of w across calls (ConvAlgorithm.forwardKeepingWeights). */
  function forwardKeepingWeights(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage): void {
    forward(g, x, w, b, y, undefined, weights);
  }

  function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
    withTransformedWeights(w, g.C, g.OC, true, null, (u) => {
      const plain = { scale: 0, shift: 0, residual: 0, relu: false };
      conv({ N: g.N, Cin: g.OC, H: g.OH, W: g.OW, pH: 2 - g.pH, pW: 2 - g.pW, Cout: g.C, OH: g.H, OW: g.W }, u, plain, dy, dx);
    });
  }

  return { bandRows, forward, forwardKeepingWeights, backwardData };
}
