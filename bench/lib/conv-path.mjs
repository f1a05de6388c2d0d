// The path src/ops/conv2d-kernels.ts (choosePath, chooseOrientation) takes for
// a conv layer L = { C, OC, k, s, p, groups? }; kept in step with it by hand
// (the chooser is not public API), printed beside the timings.
export function isDepthwise(L) { return (L.groups ?? 1) === L.C && L.C > 1; }

export function pathOf(L) {
  if (isDepthwise(L)) return 'depthwise direct (conv2d-depthwise.ts)';
  const orient = L.OC <= 64 ? 'colᵀ·Wᵀ' : 'W·col';
  if (L.k === 1 && L.s === 1 && L.p === 0) return `1x1 direct GEMM, ${orient}`;
  if (L.k === 3 && L.s === 1 && L.p <= 2 && L.C >= 16 && L.OC >= 16) return 'Winograd F(2x2,3x3); dW F(3x3,2x2)';
  return `im2col + GEMM, ${orient}`;
}
