import { kernels } from '../runtime/kernel-calls.js';
import { requireFloat } from './args.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { empty } from './basic.js';
import { describe } from './matmul.js';
import { boolOption, checkOptionKeys, fmtPair, intPair } from './window-options.js';

type Pair = number | [number, number];
export interface MaxPool2dOptions { kernelSize: Pair; stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean }
export interface AvgPool2dOptions { kernelSize: Pair; stride?: Pair; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean }

/** Below this many input floats a pooling kernel runs on the calling thread. */
const PARALLEL_MIN_FLOATS = 1 << 15;
const threadsFor = (n: number) => (n < PARALLEL_MIN_FLOATS ? 1 : undefined);

function checkInput(op: string, x: unknown): asserts x is Tensor {
  check(x instanceof Tensor, op, `input must be a Tensor, got ${describe(x)}`);
  requireFloat(x, op, 'input');
  check(x.shape.length === 4, op, () => `input must be 4-D NCHW, got ${fmtShape(x.shape)}` + (x.shape.length === 3 ? ' (add a batch dimension: unbatched CHW is not accepted)' : ''));
  check(x.shape[1] > 0 && x.shape[2] > 0 && x.shape[3] > 0, op, () => `input ${fmtShape(x.shape)} has an empty channel or spatial dimension`);
}

/**
 * PyTorch's pooling output size: floor (or ceil) of the window count, and in
 * ceil mode the last window must start inside the input or the left padding.
 */
function pooledSize(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface Window { k: [number, number]; s: [number, number]; p: [number, number]; d: [number, number]; OH: number; OW: number }

function windowGeometry(op: string, x: Tensor, o: Record<string, unknown>, dilated: boolean): Window {
  check(o.kernelSize !== undefined, op, 'kernelSize is required');
  const k = intPair(op, 'kernelSize', o.kernelSize, 1);
  const s = intPair(op, 'stride', o.stride ?? k, 1);
  const p = intPair(op, 'padding', o.padding ?? 0, 0);
  const d = dilated ? intPair(op, 'dilation', o.dilation ?? 1, 1) : [1, 1] as [number, number];
  const ceil = boolOption(op, 'ceilMode', o.ceilMode, false);
  check(p[0] <= k[0] >> 1 && p[1] <= k[1] >> 1, op, () => `padding ${fmtPair(p)} must be at most half the kernel ${fmtPair(k)}`);
  const [, , H, W] = x.shape;
  const OH = pooledSize(H, k[0], p[0], s[0], d[0], ceil);
  const OW = pooledSize(W, k[1], p[1], s[1], d[1], ceil);
  check(OH >= 1 && OW >= 1, op, () => `kernel ${fmtPair(k)}${dilated && (d[0] > 1 || d[1] > 1) ? ` dilation ${fmtPair(d)}` : ''} is larger than the padded input ${fmtPair([H + 2 * p[0], W + 2 * p[1]])} (input ${fmtShape(x.shape)}, padding ${fmtPair(p)}): output would be ${OH}x${OW}`);
  return { k, s, p, d, OH, OW };
}

type P = [number, number];
/** Kernel 2x2, stride 2, no padding or dilation, every window whole (ceil mode on an odd size clips the last). */
function isPlain2x2(k: P, s: P, p: P, d: P, H: number, W: number, OH: number, OW: number): boolean {
  return k[0] === 2 && k[1] === 2 && s[0] === 2 && s[1] === 2 && p[0] === 0 && p[1] === 0 &&
    d[0] === 1 && d[1] === 1 && 2 * OH <= H && 2 * OW <= W;
}

/** Max over each window (padding counts as -inf); the gradient goes to the first maximum. */
export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  const op = 'maxPool2d';
  checkInput(op, x);
  const o = checkOptionKeys(op, opts, ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode']);
  const { k, s, p, d, OH, OW } = windowGeometry(op, x, o, true);
  const [N, C, H, W] = x.shape;
  const win = { planes: N * C, H, W, OH, OW, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: p[0], pW: p[1], dH: d[0], dW: d[1] };
  const xp = x.ptr(op);
  const out = empty([N, C, OH, OW], op);
  // the common 2x2/2 pool: dedicated kernels with the same bits (pool2x2.ts)
  const plain2x2 = isPlain2x2(k, s, p, d, H, W, OH, OW);
  if (plain2x2) kernels.maxPool2x2Forward({ x: xp, planes: N * C, H, W, OH, OW, y: out.ptr() }, threadsFor(x.size));
  else kernels.maxPool2dForward({ x: xp, ...win, y: out.ptr() }, threadsFor(x.size));
  traceOp(op, [x], out, { kernelSize: k, stride: s, padding: p, dilation: d, ceilMode: boolOption(op, 'ceilMode', o.ceilMode, false) });
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    if (plain2x2) {
      kernels.maxPool2x2Backward({ x: x.ptr(op), dy: g.ptr(op), planes: N * C, H, W, OH, OW, dx: gx.ptr() }, threadsFor(x.size));
    } else {
      kernels.maxPool2dBackward({ x: x.ptr(op), dy: g.ptr(op), ...win, dx: gx.ptr() }, threadsFor(x.size));
    }
    return [gx];
  });
}

/** Mean over each window; see countIncludePad / ceilMode for PyTorch's divisor rule. */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  const op = 'avgPool2d';
  checkInput(op, x);
  const o = checkOptionKeys(op, opts, ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad']);
  const { k, s, p, OH, OW } = windowGeometry(op, x, o, false);
  const includePad = boolOption(op, 'countIncludePad', o.countIncludePad, true) ? 1 : 0;
  const [N, C, H, W] = x.shape;
  const win = { planes: N * C, H, W, OH, OW, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: p[0], pW: p[1], includePad };
  const xp = x.ptr(op);
  const out = empty([N, C, OH, OW], op);
  kernels.avgPool2dForward({ x: xp, ...win, y: out.ptr() }, threadsFor(x.size));
  traceOp(op, [x], out, { kernelSize: k, stride: s, padding: p, ceilMode: boolOption(op, 'ceilMode', o.ceilMode, false), countIncludePad: includePad === 1 });
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    kernels.avgPool2dBackward({ dy: g.ptr(op), ...win, dx: gx.ptr() }, threadsFor(x.size));
    return [gx];
  });
}

function adaptiveSize(op: string, x: Tensor, size: unknown): [number, number] {
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  const bad = () => `outputSize must be a positive integer or a pair of them (null keeps the input size), got ${Array.isArray(size) ? `[${size.map(String).join(',')}]` : String(size)}`;
  if (Array.isArray(size)) {
    check(size.length === 2 && size.every((v) => v === null || ok(v)), op, bad);
    return [size[0] ?? x.shape[2], size[1] ?? x.shape[3]];
  }
  check(ok(size), op, bad);
  return [size as number, size as number];
}

/** Mean over bins [floor(i·H/o), ceil((i+1)·H/o)) per axis. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | [number | null, number | null]): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkInput(op, x);
  const [OH, OW] = adaptiveSize(op, x, outputSize);
  const [N, C, H, W] = x.shape;
  const xp = x.ptr(op);
  const out = empty([N, C, OH, OW], op);
  kernels.adaptiveAvgPool2dForward({ x: xp, planes: N * C, H, W, OH, OW, y: out.ptr() }, threadsFor(x.size));
  traceOp(op, [x], out);
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    kernels.adaptiveAvgPool2dBackward({ dy: g.ptr(op), planes: N * C, H, W, OH, OW, dx: gx.ptr() }, threadsFor(x.size));
    return [gx];
  });
}

/** Max over the same bins as adaptiveAvgPool2d; the gradient goes to the first maximum. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | [number | null, number | null]): Tensor {
  const op = 'adaptiveMaxPool2d';
  checkInput(op, x);
  const [OH, OW] = adaptiveSize(op, x, outputSize);
  const [N, C, H, W] = x.shape;
  const xp = x.ptr(op);
  const out = empty([N, C, OH, OW], op);
  kernels.adaptiveMaxPool2dForward({ x: xp, planes: N * C, H, W, OH, OW, y: out.ptr() }, threadsFor(x.size));
  traceOp(op, [x], out);
  return record(op, out, [x], (g) => {
    const gx = empty(x.shape, op);
    kernels.adaptiveMaxPool2dBackward({ x: x.ptr(op), dy: g.ptr(op), planes: N * C, H, W, OH, OW, dx: gx.ptr() }, threadsFor(x.size));
    return [gx];
  });
}
