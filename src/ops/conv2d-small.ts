import { parallel } from '../runtime/backend.js';
import { empty } from './basic.js';
import { launchElementwise } from './launch.js';
import type { ConvGeom } from './conv2d-kernels.js';

/**
 * The direct path for small convolutions (assembly/conv-small.ts): stride 1,
 * no padding or dilation, one group, a kernel of at least 5 taps, outputs at
 * least 4 wide, and few channels (LeNet's 5x5 layers). There the im2col GEMM
 * path spends most of its time on columns, packing and partial tiles, one
 * image at a time. All three passes give the im2col path's bits.
 */
export const SMALL_MAX_CHANNELS = 32;
/** Weight taps (C·kH·kW) up to which the direct kernels keep their operands in L1. */
export const SMALL_MAX_TAPS = 400;

export function smallApplies(g: ConvGeom): boolean {
  return g.G === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.dH === 1 && g.dW === 1 &&
    g.kH * g.kW >= 5 && g.C * g.kH * g.kW <= SMALL_MAX_TAPS && g.OW >= 4 && g.N >= 1 &&
    g.OC <= SMALL_MAX_CHANNELS && g.C <= SMALL_MAX_CHANNELS;
}

const round = (n: number, m: number) => Math.ceil(n / m) * m;

/** y = conv(x, w) + b on addresses (b may be 0). */
export function smallForward(g: ConvGeom, x: number, w: number, b: number, y: number): void {
  const OCp = round(g.OC, 4);
  const wp = empty([g.C * g.kH * g.kW * OCp], 'conv2d');
  try {
    parallel('packConvWeights', [w, g.OC, g.C, g.kH, g.kW, 0, wp.ptr(), OCp], 1);
    parallel('convSmallForward', [x, g.N, g.C, g.H, g.W, g.kH, g.kW, wp.ptr(), g.OC, OCp, b, y, g.OH, g.OW]);
  } finally {
    wp.dispose();
  }
}

/**
 * dx, in the im2col path's order (same bits): dy's rows are zero-padded to a
 * multiple of 4, dx is accumulated tap by tap into a zeroed buffer with rows
 * wide enough for every shifted vector, then cropped into dx.
 */
export function smallBackwardData(g: ConvGeom, dy: number, w: number, dx: number): void {
  const OWp = round(g.OW, 4), Wp = OWp + g.kW - 1;
  const Cp = round(g.C, 4);
  const dyp = empty([g.N * g.OC * g.OH * OWp + 12], 'conv2d'); // + the slack convSmallDataGrad reads
  const dxs = empty([g.N * g.C * g.H * Wp], 'conv2d');
  const wp = empty([g.kH * g.kW * g.OC * Cp], 'conv2d');
  try {
    parallel('padPlanes', [dy, g.N * g.OC, g.OH, g.OW, 0, 0, g.OH, OWp, dyp.ptr()]);
    launchElementwise('fill', [dxs.ptr(), 0, dxs.size], dxs.size);
    parallel('packDataWeights', [w, g.OC, g.C, g.kH * g.kW, wp.ptr(), Cp], 1);
    parallel('convSmallDataGrad', [dyp.ptr(), g.N, g.OC, g.OH, OWp, g.kH, g.kW, wp.ptr(), g.C, Cp, dxs.ptr(), g.H, Wp]);
    parallel('cropPlanes', [dxs.ptr(), g.N * g.C, g.H, Wp, g.W, dx]);
  } finally {
    dyp.dispose();
    dxs.dispose();
    wp.dispose();
  }
}

/** dw = Σ over the batch, in image then pixel order (the im2col path's bits). */
export function smallBackwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void {
  const P = g.OH * g.OW;
  const Cp = round(g.OC, 8);
  const dyT = empty([g.N * P * Cp], 'conv2d');
  try {
    parallel('planesToPixels', [dy, g.N, g.OC, P, dyT.ptr(), Cp]);
    parallel('convSmallFilterGrad', [x, g.N, g.C, g.H, g.W, g.kH, g.kW, dyT.ptr(), g.OC, Cp, g.OH, g.OW, dw]);
  } finally {
    dyT.dispose();
  }
}
