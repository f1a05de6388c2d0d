import { noGrad, record } from '../autograd.js';
import { check, fmtShape, SimdnnError } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { liveTensor } from './args.js';
import { empty } from './basic.js';
import { broadcastShapes, broadcastStrides, forEachBroadcast, sumToShape } from './broadcast.js';
import { operand, resultType, type Operand } from './promotion.js';

const COMPARE = {
  eq: (x: number, y: number) => x === y,
  ne: (x: number, y: number) => x !== y,
  lt: (x: number, y: number) => x < y,
  le: (x: number, y: number) => x <= y,
  gt: (x: number, y: number) => x > y,
  ge: (x: number, y: number) => x >= y,
} as const;
export type CompareName = keyof typeof COMPARE;

/** Values of an operand as numbers (a number operand as a one-element array); float32 compares round a number to float32 first, as torch. */
function values(x: Operand, asFloat32: boolean, op: string): ArrayLike<number> {
  if (x instanceof Tensor) return x.viewAny(op);
  return [asFloat32 ? Math.fround(x) : x];
}

/** a (cmp) b with broadcasting → bool; compared in the operands' result type (NaN compares unequal to everything). */
export function compare(name: CompareName, aIn: unknown, bIn: unknown): Tensor {
  const op = name;
  const a = operand(aIn, op, 'input');
  const b = operand(bIn, op, 'other');
  check(a instanceof Tensor || b instanceof Tensor, op, 'needs at least one Tensor operand, got two numbers');
  const f32 = resultType([a, b]) === 'float32';
  const sa = a instanceof Tensor ? a.shape : [];
  const sb = b instanceof Tensor ? b.shape : [];
  const outShape = broadcastShapes(sa, sb, op);
  const out = empty(outShape, op, 'bool');
  const av = values(a, f32, op);
  const bv = values(b, f32, op);
  const ov = out.viewBool(op);
  const f = COMPARE[name];
  forEachBroadcast(outShape, broadcastStrides(sa, outShape), broadcastStrides(sb, outShape), (o, i, j) => {
    ov[o] = f(av[i], bv[j]) ? 1 : 0;
  });
  return out;
}

/** Logical and/or of any dtypes (nonzero is true) → bool, broadcast. */
function logical(op: string, aIn: unknown, bIn: unknown, f: (x: boolean, y: boolean) => boolean): Tensor {
  const a = liveTensor(aIn, op, 'input');
  const b = liveTensor(bIn, op, 'other');
  const outShape = broadcastShapes(a.shape, b.shape, op);
  const out = empty(outShape, op, 'bool');
  const av = a.viewAny(op);
  const bv = b.viewAny(op);
  const ov = out.viewBool(op);
  forEachBroadcast(outShape, broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape), (o, i, j) => {
    ov[o] = f(av[i] !== 0, bv[j] !== 0) ? 1 : 0;
  });
  return out;
}

export const logicalAnd = (a: Tensor, b: Tensor): Tensor => logical('logicalAnd', a, b, (x, y) => x && y);
export const logicalOr = (a: Tensor, b: Tensor): Tensor => logical('logicalOr', a, b, (x, y) => x || y);
export function logicalNot(x: Tensor): Tensor {
  const op = 'logicalNot';
  const t = liveTensor(x, op, 'input');
  const out = empty(t.shape, op, 'bool');
  const v = t.viewAny(op);
  const ov = out.viewBool(op);
  for (let i = 0; i < v.length; i++) ov[i] = v[i] === 0 ? 1 : 0;
  return out;
}

/** Row-major walk over the broadcast of several operands: fn(o, [index per operand]). */
function forEachBroadcastN(outShape: readonly number[], strides: number[][], fn: (o: number, idx: number[]) => void): void {
  const n = shapeSize(outShape);
  const rank = outShape.length;
  const pos = new Array<number>(rank).fill(0);
  const idx = strides.map(() => 0);
  for (let o = 0; o < n; o++) {
    fn(o, idx);
    for (let d = rank - 1; d >= 0; d--) {
      pos[d]++;
      for (let k = 0; k < idx.length; k++) idx[k] += strides[k][d];
      if (pos[d] < outShape[d]) break;
      for (let k = 0; k < idx.length; k++) idx[k] -= strides[k][d] * outShape[d];
      pos[d] = 0;
    }
  }
}

/**
 * torch.where(cond, a, b): a where cond is true, else b; cond must be bool,
 * the three broadcast together, the dtype is a's and b's result type.
 * Differentiable in a and b (each gets the gradient where it was chosen).
 */
export function where(condIn: Tensor, aIn: Operand, bIn: Operand): Tensor {
  const op = 'where';
  const cond = liveTensor(condIn, op, 'condition');
  if (cond.dtype !== 'bool') throw new SimdnnError(op, `condition must be a bool tensor, got ${cond.dtype} tensor ${fmtShape(cond.shape)}`);
  const a = operand(aIn, op, 'input');
  const b = operand(bIn, op, 'other');
  const dtype = resultType([a, b]);
  const sa = a instanceof Tensor ? a.shape : [];
  const sb = b instanceof Tensor ? b.shape : [];
  const outShape = broadcastShapes(broadcastShapes(cond.shape, sa, op), sb, op);
  const out = empty(outShape, op, dtype);
  const strides = [cond.shape, sa, sb].map((s) => broadcastStrides(s, outShape));
  const cv = cond.viewBool(op);
  const av = a instanceof Tensor ? a.viewAny(op) : [a];
  const bv = b instanceof Tensor ? b.viewAny(op) : [b];
  const ov = out.viewAny(op);
  forEachBroadcastN(outShape, strides, (o, [c, i, j]) => {
    ov[o] = cv[c] !== 0 ? av[i] : bv[j];
  });
  const inputs = [a, b].filter((x): x is Tensor => x instanceof Tensor);
  if (dtype !== 'float32') return out;
  return record(op, out, inputs, (g) => noGrad(() => {
    const pick = (x: Operand, chosen: boolean): Tensor | null => {
      if (!(x instanceof Tensor) || !x.requiresGrad) return null;
      const full = empty(outShape, op);
      // Views after the allocation (which may grow the memory and detach older views).
      const fv = full.view(op);
      const gv = g.view(op);
      const cv = cond.viewBool(op);
      forEachBroadcastN(outShape, strides, (o, [c]) => {
        fv[o] = (cv[c] !== 0) === chosen ? gv[o] : 0;
      });
      const r = sumToShape(full, x.shape, op);
      if (r !== full) full.dispose();
      return r;
    };
    const ga = pick(a, true);
    const gb = pick(b, false);
    return a instanceof Tensor && b instanceof Tensor ? [ga, gb] : [a instanceof Tensor ? ga : gb];
  }));
}

export const eq = (a: Operand, b: Operand): Tensor => compare('eq', a, b);
export const ne = (a: Operand, b: Operand): Tensor => compare('ne', a, b);
export const lt = (a: Operand, b: Operand): Tensor => compare('lt', a, b);
export const le = (a: Operand, b: Operand): Tensor => compare('le', a, b);
export const gt = (a: Operand, b: Operand): Tensor => compare('gt', a, b);
export const ge = (a: Operand, b: Operand): Tensor => compare('ge', a, b);
