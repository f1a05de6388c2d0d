// Loads and stores shared by kernels that run a SIMD body and a scalar tail
// through one inlined function: with `one` the function works on a single
// value (in lane 0, splat on load) instead of 4.

// @ts-ignore: decorator
@inline export function ld(p: usize, one: bool): v128 {
  return one ? f32x4.splat(load<f32>(p)) : v128.load(p);
}
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, one: bool): void {
  if (one) store<f32>(p, f32x4.extract_lane(v, 0));
  else v128.store(p, v);
}
