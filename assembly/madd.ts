// acc + a·b per lane: FMA (relaxed_madd) in the relaxed build, a separate
// multiply then add in the baseline build — the one place that choice is made.
// @ts-ignore: decorator
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
