import { kernels } from '../../runtime/kernel-calls.js';
import { gemm } from '../gemm.js';
import type { Storage } from '../../storage.js';
import type { ConvGeom } from './geometry.js';
import { packedForward, packedForwardApplies } from './packed-forward.js';
import { chooseOrientation } from './gemm-orientation.js';
import { columnThreads } from './im2col.js';
import { withScratch } from './scratch.js';

/** 1x1 kernel, stride 1, no padding: the input planes of an image already are the GEMM operand [C, H·W] (no im2col). */
export function applies(g: ConvGeom): boolean {
  return g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.OH === g.H && g.OW === g.W;
}

/** y = conv(x, w) + b on addresses (b may be 0). */
export function forward(g: ConvGeom, x: number, w: number, b: number, y: number, orientation = chooseOrientation(g)): void {
  const HW = g.H * g.W;
  const colw = orientation === 'colw';
  withScratch([colw ? HW * g.OCg : 0], (ct) => {
    for (let n = 0; n < g.N; n++) {
      for (let gi = 0; gi < g.G; gi++) {
        const wg = w + 4 * gi * g.OCg * g.Cg;
        const bg = b ? b + 4 * gi * g.OCg : 0;
        const xg = x + 4 * (n * g.C + gi * g.Cg) * HW;
        if (colw) {
          gemm({ transA: true, transB: true, M: HW, N: g.OCg, K: g.Cg, a: xg, lda: HW, b: wg, ldb: g.Cg, c: ct, ldc: g.OCg });
          kernels.transposeRows({
            src: ct, p0: n * HW, p1: (n + 1) * HW, C: g.OCg, bias: bg, y, Ctot: g.OC, c0: gi * g.OCg, OHW: HW,
          }, columnThreads(HW * g.OCg));
        } else {
          const yg = y + 4 * (n * g.OC + gi * g.OCg) * HW;
          gemm({ M: g.OCg, N: HW, K: g.Cg, a: wg, lda: g.Cg, b: xg, ldb: HW, c: yg, ldc: HW });
          if (bg) kernels.addBiasPlanes({ y: yg, C: g.OCg, cols: HW, ld: HW, bias: bg }, columnThreads(HW * g.OCg));
        }
      }
    }
  });
}

/** forward without a gradient to record: the weights' packed panels kept across calls (packed-forward.ts), same bits. */
export function forwardKeepingWeights(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage): void {
  if (packedForwardApplies(g, 'direct-1x1')) packedForward(g, x, w, { scale: 0, shift: b, residual: 0, relu: false }, y, weights);
  else forward(g, x, w, b, y);
}

/** dx = W_gᵀ·dy_g per image and group. */
export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  const HW = g.H * g.W;
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.G; gi++) {
      gemm({
        transA: true, M: g.Cg, N: HW, K: g.OCg, a: w + 4 * gi * g.OCg * g.Cg, lda: g.Cg,
        b: dy + 4 * (n * g.OC + gi * g.OCg) * HW, ldb: HW,
        c: dx + 4 * (n * g.C + gi * g.Cg) * HW, ldc: HW,
      });
    }
  }
}

/** dw = Σ_n dy_n·x_nᵀ per group, image by image in order. */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  const HW = g.H * g.W;
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.G; gi++) {
      gemm({
        transB: true, M: g.OCg, N: g.Cg, K: HW, a: dy + 4 * (n * g.OC + gi * g.OCg) * HW, lda: HW,
        b: x + 4 * (n * g.C + gi * g.Cg) * HW, ldb: HW,
        c: dw + 4 * gi * g.OCg * g.Cg, ldc: g.Cg, accumulate: n > 0,
      });
    }
  }
}
