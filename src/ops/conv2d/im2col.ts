import { kernels } from '../../runtime/kernel-calls.js';
import { gemm } from '../gemm.js';
import { elementwiseThreads } from '../launch.js';
import { balancedRows } from './bands.js';
import type { Storage } from '../../storage.js';
import type { ConvGeom } from './geometry.js';
import { packedForward, packedForwardApplies } from './packed-forward.js';
import { chooseOrientation } from './gemm-orientation.js';
import { withScratch } from './scratch.js';

/**
 * The general path (assembly/conv2d/im2col.ts): the columns of a band of
 * output rows are built in a temporary buffer, then one GEMM per group. Any
 * kernel, stride, padding, dilation and groups.
 */
export function applies(): boolean {
  return true;
}

/** Column buffer budget in floats (see bands.ts). */
export const COL_BUDGET_FLOATS = 1 << 20;
/** Below this many column floats the im2col / col2im kernels run on one thread. */
const PARALLEL_MIN_FLOATS = 1 << 15;

export function bandRows(g: ConvGeom): number {
  return balancedRows(g.OH, g.C * g.kH * g.kW * g.OW, COL_BUDGET_FLOATS);
}

/** Threads for a pass over `floats` column or plane floats: the caller alone below the cut-off. */
export function columnThreads(floats: number): number | undefined {
  return floats < PARALLEL_MIN_FLOATS ? 1 : undefined;
}

/** The window geometry im2col and col2imAdd share. */
function geomArgs(g: ConvGeom) {
  return { C: g.C, H: g.H, W: g.W, kH: g.kH, kW: g.kW, sH: g.sH, sW: g.sW, pH: g.pH, pW: g.pW, dH: g.dH, dW: g.dW, OW: g.OW };
}

/** Calls fn(oh0, oh1) for each band of output rows, in order. */
function forBands(g: ConvGeom, fn: (oh0: number, oh1: number) => void): void {
  const rows = bandRows(g);
  for (let oh0 = 0; oh0 < g.OH; oh0 += rows) fn(oh0, Math.min(g.OH, oh0 + rows));
}

/** y = conv(x, w) + b; all arguments are addresses (b may be 0). */
export function forward(g: ConvGeom, x: number, w: number, b: number, y: number, orientation = chooseOrientation(g)): void {
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  const perRow = g.C * g.kH * g.kW * g.OW;
  // W·col writes a band straight into the planes of one image, so its bands
  // stop at image ends; colᵀ·Wᵀ goes through a buffer and its bands may span
  // images (many small images make one big GEMM).
  const colw = orientation === 'colw';
  const rows = colw ? balancedRows(g.N * g.OH, perRow, COL_BUDGET_FLOATS) : bandRows(g);
  withScratch([rows * perRow, colw ? rows * g.OW * g.OCg : 0], (colp, ct) => {
    const band = (r0: number, r1: number) => {
      const cols = (r1 - r0) * g.OW;
      kernels.im2col({ x, ...geomArgs(g), OH: g.OH, r0g: r0, r1g: r1, col: colp }, columnThreads(cols * g.C * g.kH * g.kW));
      for (let gi = 0; gi < g.G; gi++) {
        const wg = w + 4 * gi * g.OCg * Kg;
        const bg = b ? b + 4 * gi * g.OCg : 0;
        const a = colp + 4 * gi * Kg * cols;
        // The bias is added after the GEMM by SIMD passes (the GEMM's own
        // epilogue is scalar: 13% of a 1x1 layer), the same add either way.
        if (colw) {
          gemm({ transA: true, transB: true, M: cols, N: g.OCg, K: Kg, a, lda: cols, b: wg, ldb: Kg, c: ct, ldc: g.OCg });
          kernels.transposeRows({
            src: ct, p0: r0 * g.OW, p1: r1 * g.OW, C: g.OCg, bias: bg, y, Ctot: g.OC, c0: gi * g.OCg, OHW,
          }, columnThreads(cols * g.OCg));
        } else {
          const n = Math.floor(r0 / g.OH);
          const yg = y + 4 * ((n * g.OC + gi * g.OCg) * OHW + (r0 - n * g.OH) * g.OW);
          gemm({ M: g.OCg, N: cols, K: Kg, a: wg, lda: Kg, b: a, ldb: cols, c: yg, ldc: OHW });
          if (bg) kernels.addBiasPlanes({ y: yg, C: g.OCg, cols, ld: OHW, bias: bg }, columnThreads(cols * g.OCg));
        }
      }
    };
    if (colw) {
      for (let r0 = 0; r0 < g.N * g.OH; r0 += rows) band(r0, Math.min(g.N * g.OH, r0 + rows));
    } else {
      for (let n = 0; n < g.N; n++) forBands(g, (oh0, oh1) => band(n * g.OH + oh0, n * g.OH + oh1));
    }
  });
}

/** forward without a gradient to record: the weights' packed panels kept across calls (packed-forward.ts), same bits. */
export function forwardKeepingWeights(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage): void {
  if (packedForwardApplies(g, 'im2col')) packedForward(g, x, w, { scale: 0, shift: b, residual: 0, relu: false }, y, weights);
  else forward(g, x, w, b, y);
}

/** dx = conv2d's input gradient for dy: per group dcol = W_gᵀ·dy_g, then col2im. */
export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  const HW = g.H * g.W;
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  kernels.fill({ dst: dx, v: 0, n: g.N * g.C * HW }, elementwiseThreads(g.N * g.C * HW));
  withScratch([bandRows(g) * g.OW * g.C * g.kH * g.kW], (dcolp) => {
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
        kernels.col2imAdd({ dcol: dcolp, ...geomArgs(g), oh0, oh1, dx: dx + 4 * n * g.C * HW }, columnThreads(cols * g.C * g.kH * g.kW));
      });
    }
  });
}

/**
 * dw = Σ_n dy_n·col_nᵀ per group, accumulated image by image and band by band in
 * that fixed order (the GEMM splits only M and N between threads, never the sum).
 */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  withScratch([bandRows(g) * g.OW * g.C * g.kH * g.kW], (colp) => {
    for (let n = 0; n < g.N; n++) {
      forBands(g, (oh0, oh1) => {
        const cols = (oh1 - oh0) * g.OW;
        kernels.im2col({
          x, ...geomArgs(g), OH: g.OH, r0g: n * g.OH + oh0, r1g: n * g.OH + oh1, col: colp,
        }, columnThreads(cols * g.C * g.kH * g.kW));
        for (let gi = 0; gi < g.G; gi++) {
          gemm({
            transB: true, M: g.OCg, N: Kg, K: cols, a: dy + 4 * ((n * g.OC + gi * g.OCg) * OHW + oh0 * g.OW), lda: OHW,
            b: colp + 4 * gi * Kg * cols, ldb: cols,
            c: dw + 4 * gi * g.OCg * Kg, ldc: Kg, accumulate: n > 0 || oh0 > 0,
          });
        }
      });
    }
  });
}
