// Reduction Tensor methods: x.sum(1), x.max(), x.topk(5)… (the functions live in src/ops/reduce*.ts).
import type { Tensor } from '../tensor.js';
import { amax, amin, logsumexp, mean, norm, prod, std, sum, variance, type VarOptions } from '../ops/reduce.js';
import { argmax, argmin, cumsum, max, min, sort, topk, type SortOptions, type TopkOptions, type ValuesIndices } from '../ops/reduce-index.js';
import { installMethods } from './install.js';

declare module '../tensor.js' {
  interface Tensor {
    /** Σ over dim(s), all when absent; float64 accumulation in a fixed order. */
    sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    prod(dim?: number | null, keepdim?: boolean): Tensor;
    amax(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    amin(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    logsumexp(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** Variance with `correction` (default 1, unbiased). */
    var(dim?: number | number[] | null, opts?: VarOptions): Tensor;
    std(dim?: number | number[] | null, opts?: VarOptions): Tensor;
    /** p-norm (2, 1, Infinity or any p > 0) over dim(s). */
    norm(p?: number, dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** No dim: the max as a 0-d tensor; with dim: `{ values, indices }`. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    topk(k: number, dim?: number, opts?: TopkOptions): ValuesIndices;
    sort(dim?: number, opts?: SortOptions): ValuesIndices;
    cumsum(dim: number): Tensor;
  }
}

type Dim = number | number[] | null | undefined;

installMethods({
  sum(this: Tensor, dim?: Dim, keepdim?: boolean) { return sum(this, dim, keepdim); },
  mean(this: Tensor, dim?: Dim, keepdim?: boolean) { return mean(this, dim, keepdim); },
  prod(this: Tensor, dim?: number | null, keepdim?: boolean) { return prod(this, dim, keepdim); },
  amax(this: Tensor, dim?: Dim, keepdim?: boolean) { return amax(this, dim, keepdim); },
  amin(this: Tensor, dim?: Dim, keepdim?: boolean) { return amin(this, dim, keepdim); },
  logsumexp(this: Tensor, dim?: Dim, keepdim?: boolean) { return logsumexp(this, dim, keepdim); },
  var(this: Tensor, dim?: Dim, opts?: VarOptions) { return variance(this, dim, opts); },
  std(this: Tensor, dim?: Dim, opts?: VarOptions) { return std(this, dim, opts); },
  norm(this: Tensor, p?: number, dim?: Dim, keepdim?: boolean) { return norm(this, p, dim, keepdim); },
  max(this: Tensor, dim?: number, keepdim?: boolean) { return dim === undefined ? max(this) : max(this, dim, keepdim); },
  min(this: Tensor, dim?: number, keepdim?: boolean) { return dim === undefined ? min(this) : min(this, dim, keepdim); },
  argmax(this: Tensor, dim?: number | null, keepdim?: boolean) { return argmax(this, dim, keepdim); },
  argmin(this: Tensor, dim?: number | null, keepdim?: boolean) { return argmin(this, dim, keepdim); },
  topk(this: Tensor, k: number, dim?: number, opts?: TopkOptions) { return topk(this, k, dim, opts); },
  sort(this: Tensor, dim?: number, opts?: SortOptions) { return sort(this, dim, opts); },
  cumsum(this: Tensor, dim: number) { return cumsum(this, dim); },
});
