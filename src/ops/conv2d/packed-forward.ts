import { backend } from '../../runtime/backend.js';
import { kernels } from '../../runtime/kernel-calls.js';
import type { Storage } from '../../storage.js';
import { GEMM_PARALLEL_MIN_MACS } from '../gemm.js';
import type { ConvPath } from './algorithms.js';
import { balancedRows } from './bands.js';
import * as direct1x1 from './direct-1x1.js';
import type { ConvGeom } from './geometry.js';
import { COL_BUDGET_FLOATS, columnThreads } from './im2col.js';
import type { ConvEpilogue } from './epilogue.js';
import { withScratch } from './scratch.js';
import { withDerivedWeights } from './weight-cache.js';

export type { ConvEpilogue };

/**
 * The no-grad executor's forward for the GEMM paths (direct-1x1 and im2col,
 * one group): the weights as the micro-kernel's packed panels, and the
 * epilogue applied inside the GEMM (assembly/conv2d/packed-gemm-conv.ts)
 * instead of as a pass over the output. The same k-ordered sums and the same
 * epilogue arithmetic as the path's forward then affinePlanesInPlace: the
 * same bits.
 */
export function packedForwardApplies(g: ConvGeom, path: ConvPath): boolean {
  return g.G === 1 && (path === 'direct-1x1' || path === 'im2col');
}

/**
 * y = epi(conv(x, w)) for a layer packedForwardApplies to, on addresses.
 * `weights`: the storage holding w when no gradient is recorded (the packed
 * panels are then kept across calls, weight-cache.ts), else null (packed in scratch).
 */
export function packedForward(g: ConvGeom, x: number, w: number, epi: ConvEpilogue, y: number, weights: Storage | null): void {
  const K = g.C * g.kH * g.kW;
  const OHW = g.OH * g.OW;
  const scratch = backend('conv2d').gemmScratch; // per thread: gemmScratchFloats >= transposedConvScratchFloats (tested)
  const rows = direct1x1.applies(g) ? g.OH : balancedRows(g.OH, K * g.OW, COL_BUDGET_FLOATS);
  const transposed = packedTransposed(rows * g.OW);
  withPackedWeights(w, weights, g.OC, K, transposed, (wp) => {
    /** y[:, at .. at + cols] of image n (row stride OHW) from B [K, cols] */
    const gemm = (b: number, ldb: number, cols: number, at: number) => {
      const args = {
        OC: g.OC, K, b, ldb, cols, y: y + 4 * at, ldy: OHW,
        scale: epi.scale, shift: epi.shift, res: epi.residual ? epi.residual + 4 * at : 0, relu: epi.relu ? 1 : 0, scratch,
      };
      const threads = g.OC * K * cols < GEMM_PARALLEL_MIN_MACS ? 1 : undefined;
      if (transposed) kernels.packedConvGemmTransposed({ wt: wp, ...args }, threads);
      else kernels.packedConvGemm({ wp, ...args }, threads);
    };
    if (direct1x1.applies(g)) {
      for (let n = 0; n < g.N; n++) gemm(x + 4 * n * g.C * OHW, OHW, OHW, n * g.OC * OHW);
      return;
    }
    // im2col's bands of output rows (bandRows: the same column budget), one image at a time.
    withScratch([rows * K * g.OW], (col) => {
      for (let n = 0; n < g.N; n++) {
        for (let oh0 = 0; oh0 < g.OH; oh0 += rows) {
          const oh1 = Math.min(g.OH, oh0 + rows);
          const cols = (oh1 - oh0) * g.OW;
          kernels.im2col({
            x, C: g.C, H: g.H, W: g.W, kH: g.kH, kW: g.kW, sH: g.sH, sW: g.sW, pH: g.pH, pW: g.pW, dH: g.dH, dW: g.dW,
            OW: g.OW, OH: g.OH, r0g: n * g.OH + oh0, r1g: n * g.OH + oh1, col,
          }, columnThreads(cols * K));
          gemm(col, cols, cols, n * g.OC * OHW + oh0 * g.OW);
        }
      }
    });
  });
}

/**
 * Measured on ResNet-50's layers with 7x7 outputs (49 columns; 1x1, 1x1 stride 2,
 * 3x3 stride 2), one thread, in the executor: 12-16% less time each (4 ms of
 * the model's ~165). Larger planes fill their column tiles within 2% (196 =
 * 24.5 x 8), and the transposed GEMM measured 5-15% slower on ResNet's 64-channel
 * layers with 3,136 columns.
 */
export const TRANSPOSED_MAX_COLS = 64;

/**
 * Whether a GEMM of `cols` output pixels runs transposed (packed-gemm-conv-transposed.ts):
 * pixels as the micro-tile's MR rows instead of its 8 columns. ResNet's 7x7
 * planes (49 columns) fill 7 column tiles of 8 (the last one 1/8 full) but 10
 * row tiles of 5 (9 of 6).
 */
export function packedTransposed(cols: number): boolean {
  return cols <= TRANSPOSED_MAX_COLS;
}

/**
 * Runs use(wp) with w [OC, K] in the micro-kernel's packed panels (as A: MR
 * rows of w per panel; transposed, as B: NR rows per panel), kept with the
 * weight when `weights` is given.
 */
function withPackedWeights<T>(w: number, weights: Storage | null, OC: number, K: number, transposed: boolean, use: (wp: number) => T): T {
  const floats = transposed ? kernels.packedConvColumnFloats({ OC, K }) : kernels.packedConvWeightFloats({ OC, K });
  const fill = (dst: number) => {
    if (transposed) kernels.packConvWeightColumns({ w, OC, K, dst }, columnThreads(floats));
    else kernels.packConvWeightPanels({ w, OC, K, dst }, columnThreads(floats));
  };
  return withDerivedWeights(weights, `packed-${transposed ? 'b' : 'a'} ${OC}x${K}`, floats, fill, use);
}
