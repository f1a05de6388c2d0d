// Transcendentals on f32x4, computed here (not by the host's Math) so every
// engine gives the same bits. Cephes-style range reduction + minimax
// polynomials, ~1-2 ulp over the float32 range. Scalar callers splat and take
// lane 0, so a value never depends on whether it went through a vector or a tail.

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so n·ln2 is subtracted without rounding error.
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

/** e^x per lane. Overflows to +inf above ~88.72, underflows through the subnormals to 0. */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  // Clamp so n stays in [-150, 129]; the two-step scale below covers it.
  // pmax/pmin (one instruction each) keep a NaN x as NaN: x is the first operand.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  // n = round-half-even(x·log2 e) by the 1.5·2^23 trick: after the add, the
  // low mantissa bits of t hold n, so no float->int conversion is needed.
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(12582912.0));
  const fx = f32x4.sub(t, f32x4.splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  // 2^n as two normal powers of two (n1 = n>>1, n2 = n - n1): exact scaling,
  // one rounding at the end, correct subnormal results.
  const n = i32x4.sub(t, i32x4.splat(0x4b400000)); // bits of 1.5·2^23
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** ln x per lane: -inf at 0, NaN below 0, +inf at +inf; subnormals handled. */
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const isSub = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  // Scale subnormals by 2^24 into the normal range.
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(16777216.0)), x, isSub);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(isSub, i32x4.splat(24)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  // m < sqrt(1/2): use 2m - 1 and e - 1; else m - 1.
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1.0));
  e = i32x4.add(e, small); // small lanes are -1
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(ef, f32x4.splat(LN2_HI)));
  // Special values: 0 -> -inf, < 0 or NaN -> NaN, +inf -> +inf.
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0.0)));
  r = v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(x, f32x4.splat(Infinity)));
  const bad = v128.not(f32x4.ge(x, f32x4.splat(0.0))); // x < 0 or NaN
  return v128.bitselect(f32x4.splat(NaN), r, bad);
}

/** tanh per lane: odd polynomial near 0, 1 - 2/(e^{2|x|}+1) elsewhere. */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const near = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expv(f32x4.add(ax, ax));
  let far = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  far = v128.or(far, v128.and(x, i32x4.splat(0x80000000))); // sign of x
  return v128.bitselect(near, far, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** 1 / (1 + e^{-x}) per lane. */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expv(f32x4.neg(x))));
}

/** base^p for base >= 0 (p a scalar), as e^{p·ln base}. */
// @ts-ignore: decorator
@inline export function powv(base: v128, p: f32): v128 {
  return expv(f32x4.mul(logv(base), f32x4.splat(p)));
}

// Scalar forms: the same lane arithmetic, lane 0.
// @ts-ignore: decorator
@inline export function expf32(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function logf32(x: f32): f32 {
  return f32x4.extract_lane(logv(f32x4.splat(x)), 0);
}

/** Kernel-test entry points: out[i] = f(x[i]) for f = 0 exp, 1 log, 2 tanh, 3 sigmoid. */
export function mathTest(fn: i32, x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = f32x4.splat(load<f32>(x + o));
    let r: v128;
    if (fn == 0) r = expv(v);
    else if (fn == 1) r = logv(v);
    else if (fn == 2) r = tanhv(v);
    else r = sigmoidv(v);
    store<f32>(out + o, f32x4.extract_lane(r, 0));
  }
}
