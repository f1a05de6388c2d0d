import { parallel } from '../runtime/backend.js';
import { empty } from './basic.js';
import { EPI_BIAS_ROW, EPI_NONE, gemm } from './gemm.js';
import { launchElementwise } from './launch.js';

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
 */
export type ConvPath = 'direct1x1' | 'im2col';

export function choosePath(g: ConvGeom): ConvPath {
  return g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.OH === g.H && g.OW === g.W
    ? 'direct1x1' : 'im2col';
}

/**
 * Column buffer budget in floats: output rows are processed in bands whose
 * columns fit this, which bounds memory for large images. The band size depends
 * only on the shapes (never the thread count), so sums happen in the same order.
 */
export const COL_BUDGET_FLOATS = 1 << 20;
/** Below this many column floats the im2col / col2im kernels run on one thread. */
const PARALLEL_MIN_FLOATS = 1 << 15;

export function bandRows(g: ConvGeom): number {
  const perRow = g.C * g.kH * g.kW * g.OW;
  return Math.max(1, Math.min(g.OH, Math.floor(COL_BUDGET_FLOATS / perRow)));
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

/** y = conv(x, w) + b; all arguments are addresses (b may be 0). */
export function convForward(g: ConvGeom, x: number, w: number, b: number, y: number, path = choosePath(g)): void {
  const HW = g.H * g.W;
  const OHW = g.OH * g.OW;
  const Kg = g.Cg * g.kH * g.kW;
  const epi = b ? EPI_BIAS_ROW : EPI_NONE;
  if (path === 'direct1x1') {
    for (let n = 0; n < g.N; n++) {
      for (let gi = 0; gi < g.G; gi++) {
        gemm({
          M: g.OCg, N: HW, K: g.Cg, a: w + 4 * gi * g.OCg * Kg, lda: Kg,
          b: x + 4 * (n * g.C + gi * g.Cg) * HW, ldb: HW,
          c: y + 4 * (n * g.OC + gi * g.OCg) * OHW, ldc: OHW,
          bias: b ? b + 4 * gi * g.OCg : 0, epilogue: epi,
        });
      }
    }
    return;
  }
  const col = empty([bandRows(g) * g.OW * g.C * g.kH * g.kW], 'conv2d');
  const colp = col.ptr();
  try {
    for (let n = 0; n < g.N; n++) {
      const xn = x + 4 * n * g.C * HW;
      forBands(g, (oh0, oh1) => {
        const cols = (oh1 - oh0) * g.OW;
        parallel('im2col', [xn, ...geomArgs(g), oh0, oh1, colp], threadsFor(cols * g.C * g.kH * g.kW));
        for (let gi = 0; gi < g.G; gi++) {
          gemm({
            M: g.OCg, N: cols, K: Kg, a: w + 4 * gi * g.OCg * Kg, lda: Kg,
            b: colp + 4 * gi * Kg * cols, ldb: cols,
            c: y + 4 * ((n * g.OC + gi * g.OCg) * OHW + oh0 * g.OW), ldc: OHW,
            bias: b ? b + 4 * gi * g.OCg : 0, epilogue: epi,
          });
        }
      });
    }
  } finally {
    col.dispose();
  }
}

/** dx = conv2d's input gradient for dy: per group dcol = W_gᵀ·dy_g, then col2im. */
export function convBackwardData(g: ConvGeom, dy: number, w: number, dx: number, path = choosePath(g)): void {
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
      const xn = x + 4 * n * g.C * HW;
      forBands(g, (oh0, oh1) => {
        const cols = (oh1 - oh0) * g.OW;
        parallel('im2col', [xn, ...geomArgs(g), oh0, oh1, colp], threadsFor(cols * g.C * g.kH * g.kW));
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
