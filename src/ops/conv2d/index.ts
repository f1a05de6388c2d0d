import { needsGrad, record } from '../../autograd.js';
import { traceOp } from '../../trace.js';
import type { Tensor } from '../../tensor.js';
import { empty } from '../basic.js';
import { choosePath } from './choose-path.js';
import { convGeometry, type Conv2dOptions } from './geometry.js';
import { convBackwardData, convBackwardFilter, convBiasGrad, convForward } from './run.js';

export { convGeometry, type Conv2dOptions, type ConvGeom } from './geometry.js';

/**
 * 2-D convolution (PyTorch's cross-correlation): x [N, C, H, W], w [OC, C/groups, kH, kW],
 * b [OC] | null -> [N, OC, OH, OW]. Each pass runs the algorithm choose-path.ts
 * picks for the layer's geometry (the same family for all three; a Winograd
 * layer may take a different tile per pass).
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, opts?: Conv2dOptions): Tensor {
  const op = 'conv2d';
  const g = convGeometry(op, x, w, b, opts);
  const inputs = b ? [x, w, b] : [x, w];
  // Without a gradient to record, w is only read here: forms derived from it may be kept (weight-cache.ts).
  const weights = needsGrad(inputs) ? null : w.storage;
  const xp = x.ptr(op);
  const wp = weights ? w.readPtr(op) : w.ptr(op);
  const bp = b ? b.ptr(op) : 0;
  const out = empty([g.N, g.OC, g.OH, g.OW], op);
  convForward(g, xp, wp, bp, out.ptr(), choosePath(g, 'forward'), weights);
  traceOp(op, [x, w, b], out, { stride: [g.sH, g.sW], padding: [g.pH, g.pW], dilation: [g.dH, g.dW], groups: g.G });
  return record(op, out, inputs, (gy) => {
    const dy = gy.ptr(op);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (x.requiresGrad) {
      gx = empty(x.shape, op);
      convBackwardData(g, dy, w.ptr(op), gx.ptr(), choosePath(g, 'data'));
    }
    if (w.requiresGrad) {
      gw = empty(w.shape, op);
      convBackwardFilter(g, x.ptr(op), dy, gw.ptr(), choosePath(g, 'filter'));
    }
    if (b && b.requiresGrad) {
      gb = empty([g.OC], op);
      convBiasGrad(g, dy, gb.ptr());
    }
    return b ? [gx, gw, gb] : [gx, gw];
  });
}
