// The machine's wasm SIMD arithmetic wall, for benchmarks: register-only
// chains of f32x4 multiply-add, no memory traffic in the loop. GEMM results
// are reported as a fraction of it.
//
// Each of CHAINS independent accumulators does acc = acc * s + t per iteration
// (the bench passes s = 0.5, t = 1: values settle at 2, no overflow, no
// subnormals). 12 chains cover the mul+add latency and fit V8's 15 usable xmm
// registers with s and t (13+ chains spill and measure half as fast).
//
// s and t are read from memory once, before the loop: given as constants or
// as a splat of a parameter, V8 rematerialised them inside the loop (a
// broadcast and a shuffle per iteration on the vector ports), which measured
// ~15% below the kernel's real throughput.

const CHAINS: i32 = 12;

/** Floating-point operations one iteration performs (per lane a mul and an add, 4 lanes, CHAINS chains). */
export function ceilingFlopsPerIter(): i32 {
  return CHAINS * 8;
}

// @ts-ignore: decorator
@inline function mulAdd(acc: v128, s: v128, t: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && fused) return f32x4.relaxed_madd(acc, s, t);
  return f32x4.add(f32x4.mul(acc, s), t);
}

// @ts-ignore: decorator
@inline function chains(iters: i32, params: usize, fused: bool): f32 {
  const s = v128.load32_splat(params), t = v128.load32_splat(params, 4);
  let a0 = t, a1 = f32x4.add(a0, t), a2 = f32x4.add(a1, t), a3 = f32x4.add(a2, t);
  let a4 = f32x4.add(a3, t), a5 = f32x4.add(a4, t), a6 = f32x4.add(a5, t), a7 = f32x4.add(a6, t);
  let a8 = f32x4.add(a7, t), a9 = f32x4.add(a8, t), a10 = f32x4.add(a9, t), a11 = f32x4.add(a10, t);
  for (let i = 0; i < iters; i++) {
    a0 = mulAdd(a0, s, t, fused); a1 = mulAdd(a1, s, t, fused); a2 = mulAdd(a2, s, t, fused); a3 = mulAdd(a3, s, t, fused);
    a4 = mulAdd(a4, s, t, fused); a5 = mulAdd(a5, s, t, fused); a6 = mulAdd(a6, s, t, fused); a7 = mulAdd(a7, s, t, fused);
    a8 = mulAdd(a8, s, t, fused); a9 = mulAdd(a9, s, t, fused); a10 = mulAdd(a10, s, t, fused); a11 = mulAdd(a11, s, t, fused);
  }
  // Sum everything so no chain is dead code.
  const r = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(r, 0);
}

/**
 * `iters` iterations of separate f32x4.mul + f32x4.add chains (the baseline
 * GEMM's arithmetic). `params` holds two f32: s, t.
 */
export function ceilingMulAdd(iters: i32, params: usize): f32 {
  return chains(iters, params, false);
}

/**
 * The same chains with f32x4.relaxed_madd (the relaxed GEMM's arithmetic). Only
 * the relaxed build has that instruction; the baseline build runs mul + add here.
 */
export function ceilingMadd(iters: i32, params: usize): f32 {
  return chains(iters, params, true);
}
