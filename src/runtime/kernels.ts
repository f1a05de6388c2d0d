/**
 * The wasm exports as the loaded module gives them: pointers and sizes are
 * plain numbers, and kernels split over threads take `(tid, nthreads)` last.
 * TypeScript calls them through the named wrappers in kernel-calls.ts (the
 * pool passes these positionally); tests call single shares directly.
 */
export type KernelFn = (...args: number[]) => number;
export type Kernels = Record<string, KernelFn> & {
  gemm: KernelFn;
  gemmScratchFloats: () => number;
  simdVariant: () => number;
};
