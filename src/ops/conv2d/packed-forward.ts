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
  const scratch = backend('conv2d').gemmScratch;
  withPackedWeights(w, weights, g.OC, K, (wp) => {
    /** y[:, at .. at + cols] of image n (row stride OHW) from B [K, cols] */
    const gemm = (b: number, ldb: number, cols: number, at: number) => {
      kernels.packedConvGemm({
        wp, OC: g.OC, K, b, ldb, cols, y: y + 4 * at, ldy: OHW,
        scale: epi.scale, shift: epi.shift, res: epi.residual ? epi.residual + 4 * at : 0, relu: epi.relu ? 1 : 0, scratch,
      }, g.OC * K * cols < GEMM_PARALLEL_MIN_MACS ? 1 : undefined);
    };
    if (direct1x1.applies(g)) {
      for (let n = 0; n < g.N; n++) gemm(x + 4 * n * g.C * OHW, OHW, OHW, n * g.OC * OHW);
      return;
    }
    // im2col's bands of output rows (bandRows: the same column budget), one image at a time.
    const perRow = K * g.OW;
    const rows = balancedRows(g.OH, perRow, COL_BUDGET_FLOATS);
    withScratch([rows * perRow], (col) => {
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

/** Runs use(wp) with w [OC, K] in the micro-kernel's packed panels, kept with the weight when `weights` is given. */
function withPackedWeights<T>(w: number, weights: Storage | null, OC: number, K: number, use: (wp: number) => T): T {
  const floats = kernels.packedConvWeightFloats({ OC, K });
  const fill = (dst: number) => kernels.packConvWeightPanels({ w, OC, K, dst }, columnThreads(floats));
  return withDerivedWeights(weights, `packed-a ${OC}x${K}`, floats, fill, use);
}
