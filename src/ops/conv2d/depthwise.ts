import { kernels } from '../../runtime/kernel-calls.js';
import type { ConvGeom } from './geometry.js';

/**
 * The depthwise path (assembly/conv2d/depthwise.ts): groups == C with one input
 * channel per group (MobileNet's 3x3 layers, multiplier OC/C of any size). The
 * im2col path ran these as C GEMMs of kH·kW taps each, plus a column buffer:
 * mobilenet_v2 spent most of its time there. Each plane is computed directly,
 * vectorised along the output width, for any kernel, stride, padding and
 * dilation. Every value comes from one thread in a fixed order (the filter
 * gradient sums the batch image by image), so the bits do not depend on the
 * thread count. They differ from the im2col path's (other summation order).
 */
export function applies(g: ConvGeom): boolean {
  return g.G > 1 && g.Cg === 1 && g.G === g.C;
}

/** Below this many multiply-adds the kernels run on the calling thread (waking the pool costs more). */
const PARALLEL_MIN_MADDS = 1 << 15;

function threadsFor(g: ConvGeom): number | undefined {
  return g.N * g.OC * g.OH * g.OW * g.kH * g.kW < PARALLEL_MIN_MADDS ? 1 : undefined;
}

/** x, y geometry arguments shared by the three kernels. */
function dims(g: ConvGeom) {
  return { N: g.N, C: g.C, H: g.H, W: g.W, M: g.OCg, kH: g.kH, kW: g.kW, sH: g.sH, sW: g.sW, pH: g.pH, pW: g.pW, dH: g.dH, dW: g.dW, OH: g.OH, OW: g.OW };
}

/** y = conv(x, w) + b on addresses (b may be 0). */
export function forward(g: ConvGeom, x: number, w: number, b: number, y: number): void {
  kernels.depthwiseForward({ x, ...dims(g), w, b, y }, threadsFor(g));
}

/** dx (overwritten) from dy and w. */
export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  kernels.depthwiseDataGrad({ dy, ...dims(g), w, dx }, threadsFor(g));
}

/** dw (overwritten) = Σ over the batch, image by image. */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  kernels.depthwiseFilterGrad({ x, ...dims(g), dy, dw }, threadsFor(g));
}
