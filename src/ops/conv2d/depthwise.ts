import { backend } from '../../runtime/backend.js';
import { kernels } from '../../runtime/kernel-calls.js';
import type { ConvGeom } from './geometry.js';
import { withScratch } from './scratch.js';

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

/**
 * The forward runs on the padded-scratch kernel (assembly/conv2d/depthwise-padded.ts) when one
 * zero-bordered copy of an input plane per thread fits in this many floats (4 MB: a
 * 1000x1000 plane): every output is then a vector, where depthwise.ts computes the
 * columns whose taps reach into the padding one by one. Same bits (finite weights).
 * Measured per layer of MobileNetV2 (3x3, one thread, under load): 1.4x (112x112,
 * stride 2) to 4.9x (7x7) faster, 2.5x over the model's depthwise layers.
 */
export const PADDED_MAX_SCRATCH_FLOATS = 1 << 20;

function paddedPlaneFloats(g: ConvGeom): number {
  return kernels.depthwisePaddedRows({ H: g.H, kH: g.kH, sH: g.sH, pH: g.pH, dH: g.dH, OH: g.OH })
    * kernels.depthwisePaddedCols({ W: g.W, kW: g.kW, sW: g.sW, pW: g.pW, dW: g.dW, OW: g.OW });
}

export function paddedApplies(g: ConvGeom): boolean {
  return paddedPlaneFloats(g) <= PADDED_MAX_SCRATCH_FLOATS;
}

/** y = conv(x, w) + b on addresses (b may be 0). */
export function forward(g: ConvGeom, x: number, w: number, b: number, y: number, padded = paddedApplies(g)): void {
  if (!padded) {
    kernels.depthwiseForward({ x, ...dims(g), w, b, y }, threadsFor(g));
    return;
  }
  // One zero-bordered plane per thread of the pool (each share uses its tid's).
  withScratch([paddedPlaneFloats(g) * backend('conv2d').pool.size], (scratch) => {
    kernels.depthwiseForwardPadded({ x, ...dims(g), w, b, y, scratch }, threadsFor(g));
  });
}

/** dx (overwritten) from dy and w. */
export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  kernels.depthwiseDataGrad({ dy, ...dims(g), w, dx }, threadsFor(g));
}

/** dw (overwritten) = Σ over the batch, image by image. */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  kernels.depthwiseFilterGrad({ x, ...dims(g), dy, dw }, threadsFor(g));
}
