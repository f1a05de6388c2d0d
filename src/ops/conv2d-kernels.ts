import { parallel } from '../runtime/backend.js';
import { empty } from './basic.js';
import { gemm } from './gemm.js';
import { launchElementwise } from './launch.js';
import { balancedRows } from './conv-bands.js';
import { winogradApplies, winogradBackwardData, winogradBackwardFilter, winogradForward } from './conv2d-winograd.js';
import { winograd4BackwardData, winograd4BackwardFilter, winograd4Forward } from './conv2d-winograd-f4.js';
import { dataTile, filterTile, forwardTile } from './conv2d-winograd-choice.js';

/** Everything a conv kernel needs to know about one call (validated by conv2d.ts). */
export interface ConvGeom {
  N: number; C: number; H: number; W: number;
  OC: number; G: number; Cg: number; OCg: number;
  kH: number; kW: number; sH: number; sW: number;
  /** top / left padding (bottom / right follow from OH, OW) */
  pH: number; pW: number;
  dH: number; dW: number;
  OH: number; OW: number;
}

/**
 * How a layer is computed:
 * - 'direct1x1': 1x1 kernel, stride 1, no padding. The input plane already is
 *   the GEMM's [C, H·W] operand: no im2col.
 * - 'im2col': the columns of a band of output rows are built in a temporary
 *   buffer, then one GEMM per group.
 * - 'winograd': 3x3 stride 1: F(2x2,3x3) (conv2d-winograd.ts) or F(4x4,3x3)
 *   (conv2d-winograd-f4.ts) for the forward pass and the data gradient, the
 *   matching F(3x3,2x2) or F(3x3,4x4) for the filter gradient, each pass's tile
 *   chosen by the measured cost model of conv2d-winograd-choice.ts.
 */
export type ConvPath = 'direct1x1' | 'im2col' | 'winograd';

export function choosePath(g: ConvGeom): ConvPath {
  if (g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.OH === g.H && g.OW === g.W) return 'direct1x1';
  return winogradApplies(g) ? 'winograd' : 'im2col';
}

/** Column buffer budget in floats (see conv-bands.ts). */
export const COL_BUDGET_FLOATS = 1 << 20;
/** Below this many column floats the im2col / col2im kernels run on one thread. */
const PARALLEL_MIN_FLOATS = 1 << 15;

export function bandRows(g: ConvGeom): number {
  return balancedRows(g.OH, g.C * g.kH * g.kW * g.OW, COL_BUDGET_FLOATS);
}

function threadsFor(floats: number): number | undefined {
  return floats < PARALLEL_MIN_FLOATS ? 1 : undefined;
}

function geomArgs(g: ConvGeom): number[] {
  return [g.C, g.H, g.W, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.OW];
}

/** Calls fn(oh0, oh1) for each band of output rows, in order. */
function forBands(g: ConvGeom, fn: (oh0: number, oh1: number) => void): void {
  const rows = bandRows(g);
  for (let oh0 = 0; oh0 < g.OH; oh0 += rows) fn(oh0, Math.min(g.OH, oh0 + rows));
}

/**
 * Forward GEMM orientation. 'wcol': y_band = W·col (M = output channels). With
 * few output channels M is a handful of micro-tile rows and the GEMM re-packs
 * the wide col operand for little work, so 'colw' computes the transpose
 * colᵀ·Wᵀ (M = pixels) into a [pixels, channels] buffer and transposes it into
 * the planes. Each output value is the same k-ordered sum either way (same bits).
 */
export type ForwardOrientation = 'wcol' | 'colw';
/**
 * Measured on the GEMM alone (baseline build, one thread): with 64 output channels
 * W·col 41 vs colᵀ·Wᵀ 50 GFLOP/s (VGG / ResNet 1x1 shapes); with 96 W·col 50 vs 43.
 */
export const COLW_MAX_CHANNELS = 64;

export function chooseOrientation(g: ConvGeom): ForwardOrientation {
  return g.OCg <= COLW_MAX_CHANNELS ? 'colw' : 'wcol';
}

/** y = conv(x, w) + b; all arguments are addresses (b may be 0). */
export function convForward(
  g: ConvGeom, x: number, w: number, b: number, y: number,
  path = choosePath(g), orientation = chooseOrientation(g),
): void {
  if (path === 'winograd') return forwardTile(g) === 4 ? winograd4Forward(g, x, w, b, y) : winogradForward(g, x, w, b, y);
  if (path === 'direct1x1') return direct1x1Forward(g, x, w, b, y, orientation);
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  const perRow = g.C * g.kH * g.kW * g.OW;
  // W·col writes a band straight into the planes of one image, so its bands
  // stop at image ends; colᵀ·Wᵀ goes through a buffer and its bands may span
  // images (many small images make one big GEMM).
  const colw = orientation === 'colw';
  const rows = colw ? balancedRows(g.N * g.OH, perRow, COL_BUDGET_FLOATS) : bandRows(g);
  const col = empty([rows * perRow], 'conv2d');
  const ct = colw ? empty([rows * g.OW * g.OCg], 'conv2d') : null;
  const colp = col.ptr();
  try {
    const band = (r0: number, r1: number) => {
      const cols = (r1 - r0) * g.OW;
      parallel('im2col', [x, ...geomArgs(g), g.OH, r0, r1, colp], threadsFor(cols * g.C * g.kH * g.kW));
      for (let gi = 0; gi < g.G; gi++) {
        const wg = w + 4 * gi * g.OCg * Kg;
        const bg = b ? b + 4 * gi * g.OCg : 0;
        const a = colp + 4 * gi * Kg * cols;
        // The bias is added after the GEMM by SIMD passes (the GEMM's own
        // epilogue is scalar: 13% of a 1x1 layer), the same add either way.
        if (ct) {
          gemm({ transA: true, transB: true, M: cols, N: g.OCg, K: Kg, a, lda: cols, b: wg, ldb: Kg, c: ct.ptr(), ldc: g.OCg });
          parallel('transposeRows', [ct.ptr(), r0 * g.OW, r1 * g.OW, g.OCg, bg, y, g.OC, gi * g.OCg, OHW], threadsFor(cols * g.OCg));
        } else {
          const n = Math.floor(r0 / g.OH);
          const yg = y + 4 * ((n * g.OC + gi * g.OCg) * OHW + (r0 - n * g.OH) * g.OW);
          gemm({ M: g.OCg, N: cols, K: Kg, a: wg, lda: Kg, b: a, ldb: cols, c: yg, ldc: OHW });
          if (bg) parallel('addBiasPlanes', [yg, g.OCg, cols, OHW, bg], threadsFor(cols * g.OCg));
        }
      }
    };
    if (colw) {
      for (let r0 = 0; r0 < g.N * g.OH; r0 += rows) band(r0, Math.min(g.N * g.OH, r0 + rows));
    } else {
      for (let n = 0; n < g.N; n++) forBands(g, (oh0, oh1) => band(n * g.OH + oh0, n * g.OH + oh1));
    }
  } finally {
    col.dispose();
    ct?.dispose();
  }
}

/** 1x1 stride 1: the input planes of an image are the GEMM operand [C, H·W] as they are. */
function direct1x1Forward(g: ConvGeom, x: number, w: number, b: number, y: number, orientation: ForwardOrientation): void {
  const HW = g.H * g.W;
  const ct = orientation === 'colw' ? empty([HW * g.OCg], 'conv2d') : null;
  try {
    for (let n = 0; n < g.N; n++) {
      for (let gi = 0; gi < g.G; gi++) {
        const wg = w + 4 * gi * g.OCg * g.Cg;
        const bg = b ? b + 4 * gi * g.OCg : 0;
        const xg = x + 4 * (n * g.C + gi * g.Cg) * HW;
        if (ct) {
          gemm({ transA: true, transB: true, M: HW, N: g.OCg, K: g.Cg, a: xg, lda: HW, b: wg, ldb: g.Cg, c: ct.ptr(), ldc: g.OCg });
          parallel('transposeRows', [ct.ptr(), n * HW, (n + 1) * HW, g.OCg, bg, y, g.OC, gi * g.OCg, HW], threadsFor(HW * g.OCg));
        } else {
          const yg = y + 4 * (n * g.OC + gi * g.OCg) * HW;
          gemm({ M: g.OCg, N: HW, K: g.Cg, a: wg, lda: g.Cg, b: xg, ldb: HW, c: yg, ldc: HW });
          if (bg) parallel('addBiasPlanes', [yg, g.OCg, HW, HW, bg], threadsFor(HW * g.OCg));
        }
      }
    }
  } finally {
    ct?.dispose();
  }
}

/** dx = conv2d's input gradient for dy: per group dcol = W_gᵀ·dy_g, then col2im. */
export function convBackwardData(g: ConvGeom, dy: number, w: number, dx: number, path = choosePath(g)): void {
  if (path === 'winograd') return dataTile(g) === 4 ? winograd4BackwardData(g, dy, w, dx) : winogradBackwardData(g, dy, w, dx);
  const HW = g.H * g.W;
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  if (path === 'direct1x1') {
    for (let n = 0; n < g.N; n++) {
      for (let gi = 0; gi < g.G; gi++) {
        gemm({
          transA: true, M: g.Cg, N: HW, K: g.OCg, a: w + 4 * gi * g.OCg * Kg, lda: Kg,
          b: dy + 4 * (n * g.OC + gi * g.OCg) * OHW, ldb: OHW,
          c: dx + 4 * (n * g.C + gi * g.Cg) * HW, ldc: HW,
        });
      }
    }
    return;
  }
  launchElementwise('fill', [dx, 0, g.N * g.C * HW], g.N * g.C * HW);
  const dcol = empty([bandRows(g) * g.OW * g.C * g.kH * g.kW], 'conv2d');
  const dcolp = dcol.ptr();
  try {
    for (let n = 0; n < g.N; n++) {
      forBands(g, (oh0, oh1) => {
        const cols = (oh1 - oh0) * g.OW;
        for (let gi = 0; gi < g.G; gi++) {
          gemm({
            transA: true, M: Kg, N: cols, K: g.OCg, a: w + 4 * gi * g.OCg * Kg, lda: Kg,
            b: dy + 4 * ((n * g.OC + gi * g.OCg) * OHW + oh0 * g.OW), ldb: OHW,
            c: dcolp + 4 * gi * Kg * cols, ldc: cols,
          });
        }
        parallel('col2imAdd', [dcolp, ...geomArgs(g), oh0, oh1, dx + 4 * n * g.C * HW], threadsFor(cols * g.C * g.kH * g.kW));
      });
    }
  } finally {
    dcol.dispose();
  }
}

/**
 * dw = Σ_n dy_n·col_nᵀ per group, accumulated image by image and band by band in
 * that fixed order (the GEMM splits only M and N between threads, never the sum).
 */
export function convBackwardFilter(g: ConvGeom, x: number, dy: number, dw: number, path = choosePath(g)): void {
  const HW = g.H * g.W;
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  if (g.N === 0) {
    launchElementwise('fill', [dw, 0, g.OC * Kg], g.OC * Kg);
    return;
  }
  if (path === 'winograd') return filterTile(g) === 4 ? winograd4BackwardFilter(g, x, dy, dw) : winogradBackwardFilter(g, x, dy, dw);
  if (path === 'direct1x1') {
    for (let n = 0; n < g.N; n++) {
      for (let gi = 0; gi < g.G; gi++) {
        gemm({
          transB: true, M: g.OCg, N: g.Cg, K: HW, a: dy + 4 * (n * g.OC + gi * g.OCg) * OHW, lda: OHW,
          b: x + 4 * (n * g.C + gi * g.Cg) * HW, ldb: HW,
          c: dw + 4 * gi * g.OCg * Kg, ldc: Kg, accumulate: n > 0,
        });
      }
    }
    return;
  }
  const col = empty([bandRows(g) * g.OW * g.C * g.kH * g.kW], 'conv2d');
  const colp = col.ptr();
  try {
    for (let n = 0; n < g.N; n++) {
      forBands(g, (oh0, oh1) => {
        const cols = (oh1 - oh0) * g.OW;
        parallel('im2col', [x, ...geomArgs(g), g.OH, n * g.OH + oh0, n * g.OH + oh1, colp], threadsFor(cols * g.C * g.kH * g.kW));
        for (let gi = 0; gi < g.G; gi++) {
          gemm({
            transB: true, M: g.OCg, N: Kg, K: cols, a: dy + 4 * ((n * g.OC + gi * g.OCg) * OHW + oh0 * g.OW), lda: OHW,
            b: colp + 4 * gi * Kg * cols, ldb: cols,
            c: dw + 4 * gi * g.OCg * Kg, ldc: Kg, accumulate: n > 0 || oh0 > 0,
          });
        }
      });
    }
  } finally {
    col.dispose();
  }
}

/** db[c] = Σ over batch and plane of dy[:, c]. */
export function convBiasGrad(g: ConvGeom, dy: number, db: number): void {
  const n = g.N * g.OC * g.OH * g.OW;
  parallel('convBiasGrad', [dy, g.N, g.OC, g.OH * g.OW, db], n < PARALLEL_MIN_FLOATS ? 1 : undefined);
}
