/**
 * The wasm exports as TypeScript sees them. Pointers and sizes are plain
 * numbers; kernels that can be split over threads take `(tid, nthreads)` as
 * their last two arguments and are called through `parallel()` (backend.ts).
 */
export type KernelFn = (...args: number[]) => number;
export type Kernels = Record<string, KernelFn> & {
  gemm: KernelFn;
  gemmScratchFloats: () => number;
  simdVariant: () => number;
};
