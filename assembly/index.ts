// The module's exports: plain functions over pointers into the shared memory.
// Nothing here allocates; TypeScript owns every byte (see DESIGN.md, Kernel ABI).
export { gemm, gemmScratchFloats } from "./gemm";

// Which build this is, so the runtime can report it: 1 = relaxed (FMA), 0 = baseline.
export function simdVariant(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
export { addInPlace, add, fill } from "./elementwise";
export { sgdStep, adamStep } from "./optim";
export { crossEntropyForward, crossEntropyBackward, regressionLoss, regressionLossBackward, sumScaled } from "./loss";
export { ceilingMulAdd, ceilingMadd, ceilingFlopsPerIter } from "./ceiling";
