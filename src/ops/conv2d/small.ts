import { kernels } from '../../runtime/kernel-calls.js';
import { backend } from '../../runtime/backend.js';
import type { ConvGeom } from './geometry.js';
import { withScratch } from './scratch.js';

/**
 * The direct path for small convolutions (assembly/conv2d/small.ts): stride 1,
 * no padding or dilation, one group, a kernel of at least 5 taps, outputs at
 * least 4 wide, and few channels (LeNet's 5x5 layers). There the im2col GEMM
 * path spends most of its time on columns, packing and partial tiles, one
 * image at a time. All three passes give the im2col path's bits (the data
 * gradient only while the weights are finite: see assembly/conv2d/small.ts).
 */
export const SMALL_MAX_CHANNELS = 32;
/** Weight taps (C·kH·kW) up to which the direct kernels keep their operands in L1. */
export const SMALL_MAX_TAPS = 400;
/**
 * Output pixels per plane at most: the forward and data-gradient kernels split
 * only whole images between threads, so a large image at batch 1 would run on
 * one thread (the im2col path splits inside the image).
 */
export const SMALL_MAX_PLANE = 64 * 64;

export function applies(g: ConvGeom): boolean {
  return g.G === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.dH === 1 && g.dW === 1 &&
    g.kH * g.kW >= 5 && g.C * g.kH * g.kW <= SMALL_MAX_TAPS && g.OW >= 4 && g.N >= 1 &&
    g.OC <= SMALL_MAX_CHANNELS && g.C <= SMALL_MAX_CHANNELS && g.OH * g.OW <= SMALL_MAX_PLANE;
}

const round = (n: number, m: number) => Math.ceil(n / m) * m;

/** y = conv(x, w) + b on addresses (b may be 0). */
export function forward(g: ConvGeom, x: number, w: number, b: number, y: number): void {
  const OCp = round(g.OC, 4);
  withScratch([g.C * g.kH * g.kW * OCp], (wp) => {
    kernels.packConvWeights({ w, OC: g.OC, C: g.C, kH: g.kH, kW: g.kW, flip: 0, dst: wp, OCp }, 1);
    kernels.convSmallForward({ x, N: g.N, C: g.C, H: g.H, W: g.W, kH: g.kH, kW: g.kW, wp, OC: g.OC, OCp, bias: b, y, OH: g.OH, OW: g.OW });
  });
}

/** dx, in the im2col path's order (same bits); per image in per-thread scratch (assembly/conv2d/small.ts). */
export function backwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  const Cp = round(g.C, 4);
  const per = kernels.convSmallDataGradScratch({ OC: g.OC, OH: g.OH, OW: g.OW, C: g.C, H: g.H, kW: g.kW });
  withScratch([per * backend('conv2d').pool.size, g.kH * g.kW * g.OC * Cp], (sc, wp) => {
    kernels.packDataWeights({ w, OC: g.OC, C: g.C, taps: g.kH * g.kW, dst: wp, Cp }, 1);
    kernels.convSmallDataGrad({ dy, N: g.N, OC: g.OC, OH: g.OH, OW: g.OW, kH: g.kH, kW: g.kW, wp, C: g.C, Cp, dx, H: g.H, W: g.W, scratch: sc });
  });
}

/** dw = Σ over the batch, in image then pixel order (the im2col path's bits). */
export function backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  const P = g.OH * g.OW;
  const Cp = round(g.OC, 8);
  withScratch([g.N * P * Cp], (dyT) => {
    kernels.planesToPixels({ src: dy, N: g.N, C: g.OC, P, dst: dyT, Cp });
    kernels.convSmallFilterGrad({ x, N: g.N, C: g.C, H: g.H, W: g.W, kH: g.kH, kW: g.kW, dyT, OC: g.OC, Cp, OH: g.OH, OW: g.OW, dw });
  });
}
