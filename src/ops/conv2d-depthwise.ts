import { backend, parallel } from '../runtime/backend.js';
import type { ConvGeom } from './conv2d-kernels.js';

/**
 * The depthwise path (assembly/depthwise.ts): groups == C with one input
 * channel per group (MobileNet's 3x3 layers, multiplier OC/C of any size). The
 * im2col path ran these as C GEMMs of kH·kW taps each, plus a column buffer:
 * mobilenet_v2 spent most of its time there. Each plane is computed directly,
 * vectorised along the output width, for any kernel, stride, padding and
 * dilation. Every value comes from one thread in a fixed order (the filter
 * gradient sums the batch image by image), so the bits do not depend on the
 * thread count. They differ from the im2col path's (other summation order).
 */
export function depthwiseApplies(g: ConvGeom): boolean {
  return g.G > 1 && g.Cg === 1 && g.G === g.C;
}

/** Below this many multiply-adds the kernels run on the calling thread (waking the pool costs more). */
const PARALLEL_MIN_MADDS = 1 << 15;

function threadsFor(g: ConvGeom): number | undefined {
  return g.N * g.OC * g.OH * g.OW * g.kH * g.kW < PARALLEL_MIN_MADDS ? 1 : undefined;
}

/** x, y geometry arguments shared by the three kernels. */
function dims(g: ConvGeom): number[] {
  return [g.N, g.C, g.H, g.W, g.OCg, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW];
}

/**
 * The forward runs on the padded-scratch kernel (assembly/depthwise-padded.ts) when one
 * zero-bordered copy of an input plane per thread fits in this many floats (4 MB: a
 * 1000x1000 plane): every output is then a vector, where depthwise.ts computes the
 * columns whose taps reach into the padding one by one. Same bits (finite weights).
 * Measured per layer of MobileNetV2 (3x3, one thread, under load): 1.4x (112x112,
 * stride 2) to 4.9x (7x7) faster, 2.5x over the model's depthwise layers.
 */
export const PADDED_MAX_SCRATCH_FLOATS = 1 << 20;

function paddedPlaneFloats(g: ConvGeom): number {
  const k = backend('conv2d').kernels;
  return k.depthwisePaddedRows(g.H, g.kH, g.sH, g.pH, g.dH, g.OH) * k.depthwisePaddedCols(g.W, g.kW, g.sW, g.pW, g.dW, g.OW);
}

export function paddedApplies(g: ConvGeom): boolean {
  return paddedPlaneFloats(g) <= PADDED_MAX_SCRATCH_FLOATS;
}

/** y = conv(x, w) + b on addresses (b may be 0). */
export function depthwiseForward(g: ConvGeom, x: number, w: number, b: number, y: number, padded = paddedApplies(g)): void {
  if (!padded) {
    parallel('depthwiseForward', [x, ...dims(g), w, b, y, g.OH, g.OW], threadsFor(g));
    return;
  }
  const be = backend('conv2d');
  const scratch = be.heap.alloc(paddedPlaneFloats(g) * be.pool.size * 4);
  try {
    parallel('depthwiseForwardPadded', [x, ...dims(g), w, b, y, g.OH, g.OW, scratch], threadsFor(g));
  } finally {
    be.heap.release(scratch);
  }
}

/** dx (overwritten) from dy and w. */
export function depthwiseBackwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  parallel('depthwiseDataGrad', [dy, ...dims(g), w, dx, g.OH, g.OW], threadsFor(g));
}

/** dw (overwritten) = Σ over the batch, image by image. */
export function depthwiseBackwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  parallel('depthwiseFilterGrad', [x, ...dims(g), dy, dw, g.OH, g.OW], threadsFor(g));
}
