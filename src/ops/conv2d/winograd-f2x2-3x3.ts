import { kernels } from '../../runtime/kernel-calls.js';
import { backend } from '../../runtime/backend.js';
import { balancedRows } from './bands.js';
import type { ConvGeom } from './geometry.js';
import { GEMM_PARALLEL_MIN_MACS } from '../gemm.js';
import { withScratch } from './scratch.js';
import { withDerivedWeights } from './weight-cache.js';
import type { Storage } from '../../storage.js';

/**
 * Winograd F(2x2, 3x3) for 3x3, stride 1, dilation 1, one group: 16 GEMMs of
 * [out, in]·[in, tiles] replace the 9-tap im2col GEMM, 2.25x fewer multiplies
 * (assembly/conv2d/winograd-f2x2-3x3.ts holds the transforms). The data gradient of such a
 * layer is again one (a 3x3 stride-1 conv of dy with the flipped, transposed
 * filters and padding 2 - p), so it takes the same route.
 */
export function applies(g: ConvGeom): boolean {
  const padBottom = g.OH + 2 - g.H - g.pH;
  const padRight = g.OW + 2 - g.W - g.pW;
  return g.kH === 3 && g.kW === 3 && g.sH === 1 && g.sW === 1 && g.dH === 1 && g.dW === 1 && g.G === 1 &&
    g.pH <= 2 && g.pW <= 2 && padBottom <= 2 && padRight <= 2 &&
    g.C >= WINOGRAD_MIN_CHANNELS && g.OC >= WINOGRAD_MIN_CHANNELS;
}
/** Below this many input or output channels the 16 GEMMs are too thin to win (measured). */
export const WINOGRAD_MIN_CHANNELS = 16;

/**
 * Bands are whole tile rows, possibly spanning images, of about this many tiles
 * (the N of the 16 GEMMs): measured best between 64 and 256 channels (fewer tiles
 * keep V and M in cache, more make the GEMMs efficient) ...
 */
export const WINOGRAD_BAND_TILES = 128;
/** ... and at most this many floats of V + M. */
export const WINOGRAD_BUDGET_FLOATS = 1 << 21;

export function bandTileRows(tileRows: number, tilesW: number, channels: number): number {
  return Math.min(balancedRows(tileRows, tilesW, WINOGRAD_BAND_TILES), balancedRows(tileRows, 16 * channels * tilesW, WINOGRAD_BUDGET_FLOATS));
}

const PARALLEL_MIN_FLOATS = 1 << 14;
const threadsFor = (n: number) => (n < PARALLEL_MIN_FLOATS ? 1 : undefined);

interface Plane { N: number; Cin: number; H: number; W: number; pH: number; pW: number; Cout: number; OH: number; OW: number }

/**
 * y = conv3x3(x) with the transformed filters u ([16][Cout][Cin]) and bias (0: none),
 * in one dispatch: each thread runs whole bands (assembly winogradConvBands) on
 * its own buffers. Here the band size may depend on the thread count (at least
 * one band per thread, a multiple of the thread count when there are several):
 * every output value is computed within one band, whatever the bands are.
 * When the bands cannot be shared evenly (one 14x14 image has 7 tile rows: 4 + 3),
 * the threads split the output channels instead (winogradConvChannels).
 */
function winogradConv(p: Plane, u: number, bias: number, x: number, y: number): void {
  const be = backend('conv2d');
  const tilesH = Math.ceil(p.OH / 2);
  const tilesW = Math.ceil(p.OW / 2);
  const R = p.N * tilesH;
  if (R === 0) return;
  const threads = 16 * p.Cout * p.Cin * R * tilesW < GEMM_PARALLEL_MIN_MACS ? 1 : be.pool.size;
  let rows = bandTileRows(R, tilesW, p.Cin + p.Cout);
  const byChannels = threads > 1 && channelsShareBetter(R, rows, p.Cout, threads);
  if (threads > 1 && !byChannels) {
    const bands = Math.ceil(Math.ceil(R / rows) / threads) * threads;
    rows = Math.ceil(R / bands);
  }
  const round16 = (n: number) => Math.ceil(n / 16) * 16; // keep each thread's buffers 64-byte aligned
  // split by channels over one band: the input is transformed once, split over the threads, into one shared v
  const vShared = byChannels && rows >= R;
  const vFloats = round16(16 * p.Cin * rows * tilesW);
  const mFloats = round16(16 * p.Cout * rows * tilesW + 4); // +4: the output transform reads whole 4-tile groups
  const lineFloats = round16(4 * kernels.winogradLineFloats({ tilesW }));
  withScratch([(vShared ? 1 : threads) * vFloats, threads * mFloats, threads * lineFloats], (v, m, line) => {
    const buffers = { v, m, line, vStride: vShared ? 0 : vFloats * 4, mStride: mFloats * 4, lineStride: lineFloats * 4 };
    if (vShared) kernels.winogradInput({
      x, C: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, tilesH, tilesW, R0: 0, R1: R, v, line,
    }, threads);
    const geometry = { x, I: p.Cin, H: p.H, W: p.W, pH: p.pH, pW: p.pW, O: p.Cout, OH: p.OH, OW: p.OW, R, rows, u, bias, y };
    if (byChannels) kernels.winogradConvChannels({ ...geometry, ...buffers, vReady: vShared ? 1 : 0, scratch: be.gemmScratch }, threads);
    else kernels.winogradConvBands({ ...geometry, ...buffers, scratch: be.gemmScratch }, threads);
  });
}

/**
 * Whether splitting the output channels gives the busiest thread less work than
 * dealing out bands (of at most `rows` tile rows, as winogradConv makes them).
 * The channel split is in GEMM row panels (at most 6 rows, counted as a whole
 * extra panel here), and every thread then also transforms all the input.
 */
export function channelsShareBetter(R: number, rows: number, Cout: number, threads: number): boolean {
  const bands = Math.ceil(Math.ceil(R / rows) / threads) * threads;
  const bandRows = Math.ceil(R / bands);
  const n = Math.ceil(R / bandRows); // bands actually made; thread 0 takes the most
  const busiest = Math.min(R, Math.ceil(n / threads) * bandRows) / R;
  return (Math.ceil(Cout / threads) + 6) / Cout < busiest;
}

/**
 * Runs `fn` with the transformed filters u ([16][O][I]; flipped and transposed for
 * the data gradient), kept for `owner` across calls (weight-cache.ts) unless null.
 */
function withTransformedWeights(w: number, O: number, I: number, flip: boolean, owner: Storage | null, fn: (u: number) => void): void {
  const fill = (u: number) => kernels.winogradWeights({ w, O, I, flip: flip ? 1 : 0, u }, threadsFor(16 * O * I));
  withDerivedWeights(owner, `winograd2 ${O}x${I}${flip ? ' flipped' : ''}`, 16 * O * I, fill, fn);
}

export function forward(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage | null = null): void {
  withTransformedWeights(w, g.OC, g.C, false, weights, (u) =>
    winogradConv({ N: g.N, Cin: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, Cout: g.OC, OH: g.OH, OW: g.OW }, u, b, x, y));
}

/** forward, keeping the transformed filters of w across calls (ConvAlgorithm.forwardKeepingWeights). */
export function forwardKeepingWeights(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage): void {
  forward(g, x, w, b, y, weights);
}

export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  withTransformedWeights(w, g.C, g.OC, true, null, (u) =>
    winogradConv({ N: g.N, Cin: g.OC, H: g.OH, W: g.OW, pH: 2 - g.pH, pW: 2 - g.pW, Cout: g.C, OH: g.H, OW: g.W }, u, 0, dy, dx));
}

/**
 * With several bands the filter gradient's sum is split into this many partial
 * sums (band b goes to partial b % P), added in order at the end: the partials
 * run in parallel, one thread each, and since P depends only on the shapes the
 * bits do not depend on the thread count.
 */
export const WINOGRAD_GRAD_PARTIALS = 4;
/** At most this many floats for the partial sums (16·out·in each). */
export const WINOGRAD_PARTIALS_FLOATS = 1 << 22;

function winogradFilterPartials(g: ConvGeom, x: number, dy: number, dw: number, rows: number, partials: number): void {
  const be = backend('conv2d');
  const tilesW = Math.ceil(g.OW / 2);
  const threads = Math.min(be.pool.size, partials);
  const round16 = (n: number) => Math.ceil(n / 16) * 16;
  const vFloats = round16(16 * g.C * rows * tilesW);
  const dFloats = round16(16 * g.OC * rows * tilesW);
  const lineFloats = round16(4 * kernels.winogradLineFloats({ tilesW }));
  withScratch([partials * 16 * g.OC * g.C, threads * vFloats, threads * dFloats, threads * lineFloats], (s, v, d, line) => {
    kernels.winogradGradBands({
      x, I: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, dy, O: g.OC, OH: g.OH, OW: g.OW, R: g.N * Math.ceil(g.OH / 2), rows,
      P: partials, s, v, d, line, vStride: vFloats * 4, dStride: dFloats * 4,
      lineStride: lineFloats * 4, scratch: be.gemmScratch,
    }, threads);
    kernels.winogradGradReduce({ s, P: partials, O: g.OC, I: g.C, dw }, threadsFor(partials * 16 * g.OC * g.C));
  });
}

/**
 * dw by Winograd F(3x3, 2x2): per band of tile rows, the input tiles (V, as in
 * the forward pass) and the 2x2 dy tiles (D) are transformed, S[ξ] += D[ξ]·V[ξ]ᵀ
 * (bands in order, so the sum over the batch has a fixed order), and one output
 * transform turns S into the 3x3 filters.
 */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  const be = backend('conv2d');
  const tilesH = Math.ceil(g.OH / 2);
  const tilesW = Math.ceil(g.OW / 2);
  const rows = bandTileRows(g.N * tilesH, tilesW, g.C + g.OC);
  const bands = Math.ceil((g.N * tilesH) / rows);
  const partials = Math.min(WINOGRAD_GRAD_PARTIALS, bands, Math.max(1, Math.floor(WINOGRAD_PARTIALS_FLOATS / (16 * g.OC * g.C))));
  if (partials > 1) return winogradFilterPartials(g, x, dy, dw, rows, partials);
  const lf = kernels.winogradLineFloats({ tilesW });
  withScratch([be.pool.size * 4 * lf, 16 * g.C * rows * tilesW, 16 * g.OC * rows * tilesW, 16 * g.OC * g.C], (lp, vp, dp, sp) => {
    for (let R0 = 0; R0 < g.N * tilesH; R0 += rows) {
      const R1 = Math.min(g.N * tilesH, R0 + rows);
      const Tb = (R1 - R0) * tilesW;
      kernels.winogradInput({ x, C: g.C, H: g.H, W: g.W, pH: g.pH, pW: g.pW, tilesH, tilesW, R0, R1, v: vp, line: lp }, threadsFor(16 * g.C * Tb));
      kernels.winogradGradTiles({ dy, O: g.OC, OH: g.OH, OW: g.OW, tilesH, tilesW, R0, R1, d: dp, line: lp }, threadsFor(16 * g.OC * Tb));
      kernels.winogradGradGemms({
        d: dp, v: vp, s: sp, O: g.OC, I: g.C, Tb, accumulate: R0 > 0 ? 1 : 0, scratch: be.gemmScratch,
      }, 16 * g.OC * g.C * Tb < GEMM_PARALLEL_MIN_MACS ? 1 : undefined);
    }
    kernels.winogradGradOutput({ s: sp, O: g.OC, I: g.C, dw }, threadsFor(16 * g.OC * g.C));
  });
}
