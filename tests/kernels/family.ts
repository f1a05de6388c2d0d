// What a kernel family's tester table is made of (tester.ts runs it; the
// relaxed child, relaxed-child.ts, runs it too, so nothing here imports vitest).
import * as sn from '../../src/index.js';

/** Within atol + rtol·|reference| element by element, or 'exact': the float32 of the reference, bit for bit (NaN and -0 included). */
export type Tolerance = { atol: number; rtol: number } | 'exact';

export interface KernelCase {
  /** Names the kernel(s), the shape and the option that the case exercises. */
  name: string;
  /**
   * Runs the case on the running backend and returns its outputs in a fixed
   * order. Called inside sn.tidy. Kernels are called split over the whole
   * pool (not through an op's small-size cut-off), so every thread count
   * really splits; outputs start as NaN where a kernel must write every element.
   */
  run(): Float32Array[];
  /** The same outputs computed independently (float64 loops, or a path known to be exact). */
  reference(): ArrayLike<number>[];
  /** One tolerance for every output, or one per output; the relaxed (FMA) build is held to it too. */
  tol: Tolerance | Tolerance[];
}

export interface KernelFamily {
  name: string;
  /** The table, built once the backend runs (a row may need tensors to decide what applies). */
  cases(): KernelCase[];
  /**
   * The module exporting this family (`import.meta.url` of the cases file) and
   * the export's name: the relaxed-build child imports it from there.
   */
  module: string;
  exportName: string;
  /**
   * The relaxed build must give other bits than the baseline in some output
   * (FMA rounds once where mul + add rounds twice): proof its FMA kernels ran.
   */
  relaxedChangesBits?: boolean;
}

/** A tensor of `shape` filled with NaN, so an element a kernel fails to write is caught. */
export const nanTensor = (shape: number[]) => sn.full(shape, NaN);

/** Every case's outputs on the running backend. */
export function runFamily(cases: KernelCase[]): Float32Array[][] {
  return cases.map((c) => sn.tidy(() => c.run()));
}
