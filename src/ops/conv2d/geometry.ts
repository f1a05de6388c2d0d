import { requireFloat } from '../args.js';
import { check, fmtShape } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { describe } from '../matmul.js';
import { checkOptionKeys, fmtPair, intPair } from '../window-options.js';

/** Everything a conv kernel needs to know about one call (validated by convGeometry). */
export interface ConvGeom {
  N: number; C: number; H: number; W: number;
  OC: number; G: number; Cg: number; OCg: number;
  kH: number; kW: number; sH: number; sW: number;
  /** top / left padding (bottom / right follow from OH, OW) */
  pH: number; pW: number;
  dH: number; dW: number;
  OH: number; OW: number;
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  /** Symmetric per axis, or PyTorch's 'valid' (0) / 'same' (stride 1; odd totals pad one more at the bottom/right). */
  padding?: number | [number, number] | 'same' | 'valid';
  dilation?: number | [number, number];
  groups?: number;
}

const KEYS = ['stride', 'padding', 'dilation', 'groups'] as const;

/**
 * Checks every argument of conv2d and returns the geometry; throws a
 * SimdnnError naming the argument and shapes before anything is allocated.
 */
export function convGeometry(op: string, x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2dOptions | undefined): ConvGeom {
  check(x instanceof Tensor, op, () => `input must be a Tensor, got ${describe(x)}`); // messages built only on failure: this runs per conv call
  check(w instanceof Tensor, op, () => `weight must be a Tensor, got ${describe(w)}`);
  check(b === null || b === undefined || b instanceof Tensor, op, () => `bias must be a Tensor or null, got ${describe(b)}`);
  requireFloat(x, op, 'input');
  requireFloat(w, op, 'weight');
  if (b) requireFloat(b, op, 'bias');
  const o = checkOptionKeys(op, opts, KEYS);
  check(x.shape.length === 4, op, () => `input must be 4-D NCHW, got ${fmtShape(x.shape)}` + (x.shape.length === 3 ? ' (add a batch dimension: unbatched CHW is not accepted)' : ''));
  check(w.shape.length === 4, op, () => `weight must be 4-D [outC, inC/groups, kH, kW], got ${fmtShape(w.shape)}`);
  const stride = intPair(op, 'stride', o.stride ?? 1, 1);
  const dilation = intPair(op, 'dilation', o.dilation ?? 1, 1);
  const groups = o.groups ?? 1;
  check(typeof groups === 'number' && Number.isInteger(groups) && groups >= 1, op, () => `groups must be a positive integer, got ${String(groups)}`);
  const [N, C, H, W] = x.shape;
  const [OC, Cg, kH, kW] = w.shape;
  check(kH >= 1 && kW >= 1, op, () => `weight ${fmtShape(w.shape)} has an empty kernel`);
  check(OC >= 1, op, () => `weight ${fmtShape(w.shape)} has no output channels`);
  check(OC % groups === 0, op, () => `weight ${fmtShape(w.shape)}: ${OC} output channels are not divisible by groups=${groups}`);
  check(Cg * groups === C, op, () => groups === 1
    ? `weight ${fmtShape(w.shape)} expects ${Cg} input channels, got input ${fmtShape(x.shape)}`
    : `weight ${fmtShape(w.shape)} with groups=${groups} expects ${Cg * groups} input channels, got input ${fmtShape(x.shape)}`);
  check(C >= 1, op, () => `input ${fmtShape(x.shape)} has no channels`);
  if (b) check(b.shape.length === 1 && b.shape[0] === OC, op, () => `bias must be [${OC}], got ${fmtShape(b.shape)} (weight ${fmtShape(w.shape)})`);
  const span = [dilation[0] * (kH - 1) + 1, dilation[1] * (kW - 1) + 1];
  // padTop/padLeft place the window; the totals (top+bottom) size the output.
  let pad: [number, number];
  let total: [number, number];
  const p = o.padding ?? 0;
  if (p === 'valid') {
    pad = [0, 0];
    total = [0, 0];
  } else if (p === 'same') {
    check(stride[0] === 1 && stride[1] === 1, op, () => `padding='same' needs stride 1, got stride ${fmtPair(stride)}`);
    total = [span[0] - 1, span[1] - 1];
    pad = [total[0] >> 1, total[1] >> 1];
  } else {
    pad = intPair(op, 'padding', p, 0);
    total = [2 * pad[0], 2 * pad[1]];
  }
  const padded = [H + total[0], W + total[1]];
  check(span[0] <= padded[0] && span[1] <= padded[1], op, () =>
    `kernel ${fmtPair([kH, kW])} (dilated ${fmtPair(span)}) is larger than the padded input ${fmtPair(padded)} (input ${fmtShape(x.shape)}, padding ${fmtPair(pad)})`);
  const OH = Math.floor((padded[0] - span[0]) / stride[0]) + 1;
  const OW = Math.floor((padded[1] - span[1]) / stride[1]) + 1;
  return {
    N, C, H, W, OC, G: groups, Cg, OCg: OC / groups, kH, kW,
    sH: stride[0], sW: stride[1], pH: pad[0], pW: pad[1], dH: dilation[0], dW: dilation[1], OH, OW,
  };
}
