import {
  UNARY_ABS, UNARY_CLAMP, UNARY_EXP, UNARY_LOG, UNARY_NEG, UNARY_RSQRT, UNARY_SIGN, UNARY_SQRT, UNARY_SQUARE,
} from '../runtime/kernel-table.generated.js';
import { kernels } from '../runtime/kernel-calls.js';
import { noGrad, record } from '../autograd.js';
import { check } from '../errors.js';
import { Tensor } from '../tensor.js';
import { liveTensor } from './args.js';
import { empty } from './basic.js';
import { elementwiseThreads } from './launch.js';

/** Unary op codes of assembly/binary.ts (`unary`). */
const UNARY = {
  neg: UNARY_NEG, abs: UNARY_ABS, exp: UNARY_EXP, log: UNARY_LOG, sqrt: UNARY_SQRT, rsqrt: UNARY_RSQRT,
  square: UNARY_SQUARE, sign: UNARY_SIGN, clamp: UNARY_CLAMP,
} as const;
export type UnaryName = keyof typeof UNARY;

/** f(x) on a float32 tensor in wasm, outside autograd. */
export function unaryFloat(name: UnaryName, x: Tensor, op: string, lo = -Infinity, hi = Infinity): Tensor {
  const out = empty(x.shape, op);
  if (x.size > 0) kernels.unary({ kind: UNARY[name], x: x.ptr(op), out: out.ptr(), n: x.size, lo, hi }, elementwiseThreads(x.size));
  return out;
}

/** dL/dx from (x, out, g) per element; PyTorch's values at kinks (abs at 0: 0; clamp at a bound: passes). */
function gradOf(name: UnaryName, x: number, y: number, g: number, lo: number, hi: number): number {
  switch (name) {
    case 'neg': return -g;
    case 'abs': return x > 0 ? g : x < 0 ? -g : x === 0 ? 0 : NaN * g; // g·sgn(x); sgn(NaN) is NaN
    case 'exp': return g * y;
    case 'log': return g / x;
    case 'sqrt': return g / (2 * y);
    case 'rsqrt': return -0.5 * g * y * y * y;
    case 'square': return 2 * x * g;
    case 'sign': return 0;
    case 'clamp': return x >= lo && x <= hi ? g : 0;
  }
}

/** An int32 or bool input of a float-valued op (exp, log, sqrt, rsqrt) is converted to float32 first, as torch does. */
const FLOAT_RESULT: ReadonlySet<UnaryName> = new Set(['exp', 'log', 'sqrt', 'rsqrt']);

function intUnary(name: UnaryName, x: Tensor, op: string, lo: number, hi: number): Tensor {
  const out = empty(x.shape, op, 'int32');
  const xv = x.viewInt32(op);
  const ov = out.viewInt32(op);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    ov[i] = name === 'neg' ? -v | 0 : name === 'abs' ? Math.abs(v) | 0 : name === 'square' ? Math.imul(v, v) : name === 'sign' ? Math.sign(v) : Math.min(Math.max(v, lo), hi);
  }
  return out;
}

export function unaryOp(name: UnaryName, xIn: unknown, lo = -Infinity, hi = Infinity): Tensor {
  const op = name;
  const x = liveTensor(xIn, op, 'input');
  if (x.dtype !== 'float32') {
    const intBounds = Number.isInteger(lo) || !Number.isFinite(lo) ? Number.isInteger(hi) || !Number.isFinite(hi) : false;
    check(x.dtype !== 'bool' || name === 'sign' || FLOAT_RESULT.has(name) || name === 'abs', op, 'input must be float32 or int32, got a bool tensor');
    if (FLOAT_RESULT.has(name) || (name === 'clamp' && !intBounds)) {
      const f = x.float();
      const out = unaryFloat(name, f, op, lo, hi);
      f.dispose();
      return out;
    }
    const xi = x.dtype === 'bool' ? x.int() : x;
    const out = intUnary(name, xi, op, lo, hi);
    if (xi !== x) xi.dispose();
    return out;
  }
  const out = unaryFloat(name, x, op, lo, hi);
  return record(op, out, [x], (g) => noGrad(() => {
    const gx = empty(x.shape, op);
    const xv = x.view(op);
    const yv = out.view(op);
    const gv = g.view(op);
    const r = gx.view(op);
    for (let i = 0; i < r.length; i++) r[i] = gradOf(name, xv[i], yv[i], gv[i], lo, hi);
    return [gx];
  }));
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unaryOp('rsqrt', x);
export const square = (x: Tensor): Tensor => unaryOp('square', x);
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);

/** Clamps to [min, max] (either may be omitted, not both); NaN stays NaN; min > max gives max (torch.clamp). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const op = 'clamp';
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  check(min !== undefined && min !== null || max !== undefined && max !== null, op, 'at least one of min and max must be given');
  check(typeof lo === 'number' && typeof hi === 'number', op, () => `min and max must be numbers, got ${String(min)}, ${String(max)}`);
  return unaryOp('clamp', x, lo, hi);
}
