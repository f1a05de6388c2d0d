import { check, fmtShape, SimdnnError } from '../errors.js';
import { Tensor, type DType } from '../tensor.js';
import { describe } from './matmul.js';

/** An element-wise operand: a tensor or a plain number (PyTorch's wrapped scalar). */
export type Operand = Tensor | number;

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };
const BY_RANK: DType[] = ['bool', 'int32', 'float32'];

/** Checks an operand: a live Tensor or a number (NaN and ±inf are numbers too). */
export function operand(x: unknown, op: string, arg: string): Operand {
  if (typeof x === 'number') return x;
  check(x instanceof Tensor, op, () => `${arg} must be a Tensor or a number, got ${describe(x)}`);
  x.ptr(op);
  return x;
}

/**
 * PyTorch's result type for operands (torch.result_type): the highest
 * category (bool < integer < float) wins; a number only raises the category
 * (an int32 tensor + 0.5 is float32, a float32 tensor + 2 stays float32) and
 * never widens a tensor's dtype. Integer numbers are int32 here (no int64).
 */
export function resultType(xs: readonly (Operand | undefined)[]): DType {
  let r = 0;
  for (const x of xs) {
    if (x === undefined) continue;
    r = Math.max(r, x instanceof Tensor ? RANK[x.dtype] : Number.isInteger(x) ? 1 : 2);
  }
  return BY_RANK[r];
}

/** The operand as a tensor of `dtype` (itself when it already is; a converted copy otherwise, which `temps` collects for disposal). */
export function asDtype(x: Tensor, dtype: DType, op: string, temps: Tensor[]): Tensor {
  if (x.dtype === dtype) return x;
  const t = x.to(dtype, op);
  temps.push(t);
  return t;
}

/** Arithmetic on two bool tensors has no PyTorch-consistent meaning we support (torch: add is or, sub throws). */
export function rejectBoolArithmetic(op: string, a: Operand, b: Operand): void {
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === 'bool' && b.dtype === 'bool') {
    throw new SimdnnError(op, `arithmetic on two bool tensors (${fmtShape(a.shape)}, ${fmtShape(b.shape)}) is not supported; use logicalAnd/logicalOr, or convert with .int() or .float()`);
  }
}
