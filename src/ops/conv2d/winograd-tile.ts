import type { Storage } from '../../storage.js';
import type { ConvGeom } from './geometry.js';
import { bandTileRows } from './winograd-f2x2-3x3.js';
import { forward as winograd4Forward, winograd4BandRows } from './winograd-f4x4-3x3.js';
import type { ConvEpilogue } from './epilogue.js';
import * as f4 from './winograd-f4x4-3x3.js';
import * as f6 from './winograd-f6x6-3x3.js';
import { WINOGRAD_COST, type WinogradCost } from './winograd-calibration.js';

/** Output-tile sides of the Winograd kernels: F(2x2,3x3), F(4x4,3x3) and F(6x6,3x3) (forward pass only). */
export type WinogradTile = 2 | 4 | 6;
/** The tiles with a filter gradient of their own (F(3x3,2x2), F(3x3,4x4)). */
export type WinogradFilterTile = 2 | 4;
/** Which computation: the forward pass (and the data gradient, a forward conv of dy), or the filter gradient. */
export type WinogradPass = 'forward' | 'filter';

let forced: WinogradTile | null = null;

/**
 * Makes every Winograd layer use `tile` (null: back to the cost model). For the
 * oracle tests and the error and calibration benches; not API.
 */
export function forceWinogradTile(tile: WinogradTile | null): void {
  forced = tile;
}

/** The shapes of one Winograd conv: in/out channels, images, output size. */
export interface WinogradShape { N: number; Cin: number; Cout: number; OH: number; OW: number }

/**
 * Predicted time (ns, one thread) of one pass with `tile`, from the measured
 * constants of winograd-calibration.ts: per tile and channel for the
 * transforms (input side, output / dy side), per GEMM multiply-add, per
 * transformed filter value (ξ·Cin·Cout: the filter transform), and per
 * transformed filter value and band (each band's GEMMs pack U, or add into S,
 * once: what makes thin GEMMs, e.g. 7x7 planes at batch 1, cost more than their
 * multiplies). Partial tiles at the edges count whole.
 */
export function winogradCost(s: WinogradShape, tile: WinogradTile, pass: WinogradPass): number {
  if (pass === 'filter' && tile === 6) return Infinity; // no F(3x3,6x6)
  const c: WinogradCost = pass === 'filter' ? WINOGRAD_COST.filter[tile as WinogradFilterTile] : WINOGRAD_COST.forward[tile];
  const [tiles, filters, bands] = costFeatures(s, tile);
  return tiles * (s.Cin * c.inNs + s.Cout * c.outNs) + tiles * filters * c.macNs + filters * (c.filterNs + bands * c.bandNs);
}

/** [tiles, ξ·Cin·Cout, bands] of one pass: the model's variables. */
export function costFeatures(s: WinogradShape, tile: WinogradTile): [number, number, number] {
  const tilesH = Math.ceil(s.OH / tile), tilesW = Math.ceil(s.OW / tile);
  const R = s.N * tilesH;
  const bandRows = tile === 2 ? bandTileRows : tile === 4 ? winograd4BandRows : f6.winograd6BandRows;
  const rows = bandRows(R, tilesW, s.Cin + s.Cout);
  return [R * tilesW, (tile + 2) ** 2 * s.Cin * s.Cout, Math.ceil(R / rows)];
}

/**
 * The filter gradient by F(3x3,4x4) sums at most this many dy pixels (N·OH·OW):
 * its error grows with the sum's length faster than F(3x3,2x2)'s (transformed
 * values up to ~15x |dy| and ~100x |x| cancel in the 1/24-scaled output
 * transform). Measured with `node bench/run.mjs winograd-error`, in units of
 * the oracle tests' 1e-4/1e-4 tolerance: 0.27 at 2·112² = 25,088 pixels,
 * 1.32 at 2·224² = 100,352 (F(3x3,2x2): 0.07 and 0.27).
 */
export const WINOGRAD4_FILTER_MAX_PIXELS = 50_000;

/**
 * F(6x6,3x3) (forward pass and data gradient) sums at most this many input
 * channels: its error grows with the channel sum faster than F(4x4,3x3)'s
 * (transform constants up to 32 and 21/4 instead of 8 and 5). Measured with
 * `node bench/run.mjs winograd-error` on the zoo's layers (batch 2, He-scaled
 * weights, inputs in [-1, 1]), forward pass, in units of the oracle tests'
 * 1e-4/1e-4 tolerance: 0.08-0.10 at 16 channels, 0.11-0.17 at 32-96,
 * 0.17-0.28 at 64-160, 0.22-0.35 at 256, 0.35-0.52 at 512 (F(4x4,3x3): at
 * most 0.28 anywhere). The cap keeps F(6x6) where it used at most ~1/3 of the
 * tolerance, leaving headroom for inputs less tame than the bench's; the data
 * gradient (a forward conv summing OC channels) stays far below (≤ 0.014).
 * The error is normwise (1e-5 to 2.6e-5 of the largest output; F(4x4): 0.2e-5
 * to 1.7e-5), so the oracle's absolute 1e-4 floor is met while outputs stay
 * O(1), as in He-initialised or batch-normalised networks; no channel cap can
 * promise it for outputs of ~10 and more (tests/ops/conv2d-winograd-f6.test.ts).
 */
export const WINOGRAD6_MAX_CHANNELS = 256;

/**
 * F(6x6,3x3) is taken only where predicted at least this much faster than the
 * better of the other two: it doubles F(4x4)'s error, so a gain within the
 * model's own error (8-9% rms relative residual per tile on the calibration
 * layers, quiet calibration of 2026-12-03) is not worth it. Measured the same
 * day (`BENCH_CLOCK=cpu node bench/run.mjs winograd`, one thread, Zen 5), F6
 * over F4: VGG-16 112² 128 1.16x inference, 1.09x data gradient (predicted
 * 1.08x); 224² 64 1.05x / 1.03x (predicted 1.06x); 56² 256 1.00x / 0.95x
 * (predicted 0.95x); 28² planes and below slower (6-wide tiles compute 30x30).
 * 1.1 (the value under load) left both VGG layers on F4.
 */
export const WINOGRAD6_MIN_GAIN = 1.05;

/**
 * The tile for one pass of the shape s: the one with the lower predicted time,
 * except where F(3x3,4x4)'s filter gradient would sum too many pixels or
 * F(6x6,3x3) too many channels, or would not gain enough (above).
 */
export function chooseWinogradTile(s: WinogradShape, pass: WinogradPass): WinogradTile {
  if (pass === 'filter' && s.N * s.OH * s.OW > WINOGRAD4_FILTER_MAX_PIXELS) return 2;
  const best = winogradCost(s, 4, pass) < winogradCost(s, 2, pass) ? 4 : 2;
  if (pass === 'forward' && s.Cin <= WINOGRAD6_MAX_CHANNELS && winogradCost(s, 6, pass) * WINOGRAD6_MIN_GAIN < winogradCost(s, best, pass)) return 6;
  return best;
}

/** The tile for the forward pass of layer g. */
export function forwardTile(g: ConvGeom): WinogradTile {
  return forced ?? chooseWinogradTile({ N: g.N, Cin: g.C, Cout: g.OC, OH: g.OH, OW: g.OW }, 'forward');
}

/** The tile for the data gradient: a forward conv from dy (OC channels) to dx (C channels, H x W). */
export function dataTile(g: ConvGeom): WinogradTile {
  return forced ?? chooseWinogradTile({ N: g.N, Cin: g.OC, Cout: g.C, OH: g.H, OW: g.W }, 'forward');
}


/** The tile (of dy) for the filter gradient; a forced 6 leaves it to the model (no F(3x3,6x6)). */
export function filterTile(g: ConvGeom): WinogradTile {
  if (forced !== null && forced !== 6) return forced;
  return chooseWinogradTile({ N: g.N, Cin: g.C, Cout: g.OC, OH: g.OH, OW: g.OW }, 'filter');
}

/**
 * For the no-grad executor's fusions (src/graph/execute.ts): when layer g takes the
 * F(4x4,3x3) or F(6x6,3x3) forward path, computes y = epilogue(conv(x, w)) in
 * one pass and returns true; otherwise does nothing and returns false (the
 * caller runs the conv and its affinePlanesInPlace pass as before: same bits
 * either way). `weights`: as ConvAlgorithm.forward's.
 */
export function winogradForwardFused(g: ConvGeom, x: number, w: number, epi: ConvEpilogue, y: number, weights: Storage | null = null): boolean {
  if (!f4.applies(g)) return false;
  const tile = forwardTile(g);
  if (tile === 4) winograd4Forward(g, x, w, 0, y, epi, weights);
  else if (tile === 6) f6.forward(g, x, w, 0, y, epi, weights);
  else return false;
  return true;
}
