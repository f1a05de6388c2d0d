import type { Storage } from '../../storage.js';
import type { ConvGeom } from './geometry.js';
import { bandTileRows } from './winograd-f2x2-3x3.js';
import { forward as winograd4Forward, winograd4BandRows, type Winograd4Epilogue } from './winograd-f4x4-3x3.js';
import * as f4 from './winograd-f4x4-3x3.js';
import { WINOGRAD_COST, type WinogradCost } from './winograd-calibration.js';

/** Output-tile sides of the Winograd kernels: F(2x2,3x3) and F(4x4,3x3). */
export type WinogradTile = 2 | 4;
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
  const c: WinogradCost = WINOGRAD_COST[pass][tile];
  const [tiles, filters, bands] = costFeatures(s, tile);
  return tiles * (s.Cin * c.inNs + s.Cout * c.outNs) + tiles * filters * c.macNs + filters * (c.filterNs + bands * c.bandNs);
}

/** [tiles, ξ·Cin·Cout, bands] of one pass: the model's variables. */
export function costFeatures(s: WinogradShape, tile: WinogradTile): [number, number, number] {
  const tilesH = Math.ceil(s.OH / tile), tilesW = Math.ceil(s.OW / tile);
  const R = s.N * tilesH;
  const rows = tile === 2 ? bandTileRows(R, tilesW, s.Cin + s.Cout) : winograd4BandRows(R, tilesW, s.Cin + s.Cout);
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
 * The tile for one pass of the shape s: the one with the lower predicted time,
 * except where F(3x3,4x4)'s filter gradient would sum too many pixels (below).
 */
export function chooseWinogradTile(s: WinogradShape, pass: WinogradPass): WinogradTile {
  if (pass === 'filter' && s.N * s.OH * s.OW > WINOGRAD4_FILTER_MAX_PIXELS) return 2;
  return winogradCost(s, 4, pass) < winogradCost(s, 2, pass) ? 4 : 2;
}

/** The tile for the forward pass of layer g. */
export function forwardTile(g: ConvGeom): WinogradTile {
  return forced ?? chooseWinogradTile({ N: g.N, Cin: g.C, Cout: g.OC, OH: g.OH, OW: g.OW }, 'forward');
}

/** The tile for the data gradient: a forward conv from dy (OC channels) to dx (C channels, H x W). */
export function dataTile(g: ConvGeom): WinogradTile {
  return forced ?? chooseWinogradTile({ N: g.N, Cin: g.OC, Cout: g.C, OH: g.H, OW: g.W }, 'forward');
}


/** The tile (of dy) for the filter gradient. */
export function filterTile(g: ConvGeom): WinogradTile {
  return forced ?? chooseWinogradTile({ N: g.N, Cin: g.C, Cout: g.OC, OH: g.OH, OW: g.OW }, 'filter');
}

/**
 * For the no-grad executor's fusions (src/graph/execute.ts): when layer g takes the
 * F(4x4,3x3) forward path, computes y = epilogue(conv(x, w)) in one pass and
 * returns true; otherwise does nothing and returns false (the caller runs the
 * conv and its affinePlanesInPlace pass as before: same bits either way).
 * `weights`: as ConvAlgorithm.forward's.
 */
export function winograd4ForwardFused(g: ConvGeom, x: number, w: number, epi: Winograd4Epilogue, y: number, weights: Storage | null = null): boolean {
  if (!f4.applies(g) || forwardTile(g) !== 4) return false;
  winograd4Forward(g, x, w, 0, y, epi, weights);
  return true;
}
