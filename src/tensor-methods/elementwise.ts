// Element-wise Tensor methods: a.add(b), a.gt(0), x.clamp(0, 1)… (the functions live in src/ops/).
import type { Tensor } from '../tensor.js';
import { add, div, maximum, minimum, mul, pow, sub } from '../ops/elementwise.js';
import { abs, clamp, exp, log, neg, rsqrt, sign, sqrt, square } from '../ops/unary.js';
import { eq, ge, gt, le, logicalAnd, logicalNot, logicalOr, lt, ne, where } from '../ops/compare.js';
import { installMethods } from './install.js';

declare module '../tensor.js' {
  interface Tensor {
    /** this + other, broadcast (PyTorch's type promotion: int32 + 0.5 is float32). */
    add(other: Tensor | number): Tensor;
    sub(other: Tensor | number): Tensor;
    mul(other: Tensor | number): Tensor;
    /** True division: always float32, as torch.div. */
    div(other: Tensor | number): Tensor;
    pow(exponent: Tensor | number): Tensor;
    /** Element-wise max; NaN propagates; gradient split evenly at ties (torch 1.13). */
    maximum(other: Tensor | number): Tensor;
    minimum(other: Tensor | number): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    sign(): Tensor;
    /** Clamps to [min, max]; either bound may be null/undefined (not both). */
    clamp(min?: number | null, max?: number | null): Tensor;
    eq(other: Tensor | number): Tensor;
    ne(other: Tensor | number): Tensor;
    lt(other: Tensor | number): Tensor;
    le(other: Tensor | number): Tensor;
    gt(other: Tensor | number): Tensor;
    ge(other: Tensor | number): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    logicalNot(): Tensor;
    /** torch's `x.where(cond, y)`: this where cond, else other. */
    where(condition: Tensor, other: Tensor | number): Tensor;
  }
}

installMethods({
  add(this: Tensor, o: Tensor | number) { return add(this, o); },
  sub(this: Tensor, o: Tensor | number) { return sub(this, o); },
  mul(this: Tensor, o: Tensor | number) { return mul(this, o); },
  div(this: Tensor, o: Tensor | number) { return div(this, o); },
  pow(this: Tensor, o: Tensor | number) { return pow(this, o); },
  maximum(this: Tensor, o: Tensor | number) { return maximum(this, o); },
  minimum(this: Tensor, o: Tensor | number) { return minimum(this, o); },
  neg(this: Tensor) { return neg(this); },
  abs(this: Tensor) { return abs(this); },
  exp(this: Tensor) { return exp(this); },
  log(this: Tensor) { return log(this); },
  sqrt(this: Tensor) { return sqrt(this); },
  rsqrt(this: Tensor) { return rsqrt(this); },
  square(this: Tensor) { return square(this); },
  sign(this: Tensor) { return sign(this); },
  clamp(this: Tensor, min?: number | null, max?: number | null) { return clamp(this, min, max); },
  eq(this: Tensor, o: Tensor | number) { return eq(this, o); },
  ne(this: Tensor, o: Tensor | number) { return ne(this, o); },
  lt(this: Tensor, o: Tensor | number) { return lt(this, o); },
  le(this: Tensor, o: Tensor | number) { return le(this, o); },
  gt(this: Tensor, o: Tensor | number) { return gt(this, o); },
  ge(this: Tensor, o: Tensor | number) { return ge(this, o); },
  logicalAnd(this: Tensor, o: Tensor) { return logicalAnd(this, o); },
  logicalOr(this: Tensor, o: Tensor) { return logicalOr(this, o); },
  logicalNot(this: Tensor) { return logicalNot(this); },
  where(this: Tensor, c: Tensor, o: Tensor | number) { return where(c, this, o); },
});
