import { kernels } from '../../runtime/kernel-calls.js';
import { elementwiseThreads } from '../launch.js';
import { CONV_ALGORITHMS, type ConvAlgorithm, type ConvPath } from './algorithms.js';
import { choosePath } from './choose-path.js';
import type { Storage } from '../../storage.js';
import type { ConvEpilogue } from './epilogue.js';
import type { ConvGeom } from './geometry.js';
import { columnThreads } from './im2col.js';
import { packedForward, packedForwardApplies } from './packed-forward.js';
import { winogradForwardFused } from './winograd-tile.js';

/** y = conv(x, w) + b on addresses (b may be 0), by `path` (default: the chooser's); `weights` as ConvAlgorithm.forward's. */
export function convForward(g: ConvGeom, x: number, w: number, b: number, y: number, path: ConvPath = choosePath(g), weights: Storage | null = null): void {
  const a: ConvAlgorithm = CONV_ALGORITHMS[path];
  if (weights && a.forwardKeepingWeights) a.forwardKeepingWeights(g, x, w, b, y, weights);
  else a.forward(g, x, w, b, y);
}

/**
 * y = epi(conv(x, w)) in one pass where the chooser's path can apply the
 * epilogue itself (Winograd F(4x4)/F(6x6) in the output transform, 1x1 and
 * im2col in the GEMM), returning true; otherwise writes nothing and returns
 * false, and the caller runs the conv and a separate epilogue pass (same bits
 * either way). `weights`: as convForward's.
 */
export function convForwardFused(g: ConvGeom, x: number, w: number, epi: ConvEpilogue, y: number, weights: Storage | null): boolean {
  if (winogradForwardFused(g, x, w, epi, y, weights)) return true;
  if (!packedForwardApplies(g, choosePath(g))) return false;
  packedForward(g, x, w, epi, y, weights);
  return true;
}

/** dx (overwritten) = conv2d's input gradient for dy. */
export function convBackwardData(g: ConvGeom, dy: number, w: number, dx: number, path: ConvPath = choosePath(g, 'data')): void {
  CONV_ALGORITHMS[path].backwardData(g, dy, w, dx);
}

/** dw (overwritten) = conv2d's filter gradient, summed over the batch in a fixed order. */
export function convBackwardFilter(g: ConvGeom, x: number, dy: number, dw: number, path: ConvPath = choosePath(g, 'filter')): void {
  if (g.N === 0) {
    const n = g.OC * g.Cg * g.kH * g.kW;
    kernels.fill({ dst: dw, v: 0, n }, elementwiseThreads(n));
    return;
  }
  CONV_ALGORITHMS[path].backwardFilter(g, x, dy, dw);
}

/** db[c] = Σ over batch and plane of dy[:, c] (every path). */
export function convBiasGrad(g: ConvGeom, dy: number, db: number): void {
  kernels.convBiasGrad({ dy, N: g.N, C: g.OC, HW: g.OH * g.OW, db }, columnThreads(g.N * g.OC * g.OH * g.OW));
}
