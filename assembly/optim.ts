// Fused optimizer updates: one pass over each parameter reads the gradient and
// the state once and writes the parameter and the state once. Weight decay is
// folded into the same pass. The operation order is PyTorch 1.13's
// (torch/optim/sgd.py, adam.py).
//
// Rounding: PyTorch's CPU kernels compute `x.add_(y, alpha=a)` and
// `x.addcmul_(y, z, value=a)` as fused multiply-adds (one rounding; checked
// against torch with numpy: mul-then-add differs in ~30% of elements after 5
// steps, FMA in none).
// - Adam/AdamW round once too, through fma4() below: a float32 product is exact
//   in float64, so a·b + c in float64 rounds once there and once to float32,
//   which differs from a true FMA only when the float64 sum lands exactly on a
//   float32 half-way point (never seen in the tests). Result: PyTorch's bits.
//   Adam is bound by its sqrt and division, so this costs little.
// - SGD in the baseline build uses separate mul and add (within a few float32
//   ulps of PyTorch): the float64 emulation made its memory-bound loop ~2.5x
//   slower (measured). The relaxed build uses f32x4.relaxed_madd, which is a
//   fused multiply-add where the CPU has one (x86 FMA3, ARM), so it rounds once
//   like PyTorch at full speed; its scalar tail uses fma1.
// Adam gives the same bits in both builds; SGD differs between them.
import { rangeStart, rangeEnd } from "./elementwise";

/** a·b + c per lane: relaxed_madd in the relaxed build, mul then add in the baseline. */
// @ts-ignore: decorator
@inline function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
// @ts-ignore: decorator
@inline function madd1(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return fma1(a, b, c);
  return a * b + c;
}

/** a·b + c per lane with one float32 rounding (see above). */
// @ts-ignore: decorator
@inline function fma4(a: v128, b: v128, c: v128): v128 {
  const lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b)), f64x2.promote_low_f32x4(c));
  const ah = v128.shuffle<f32>(a, a, 2, 3, 0, 1), bh = v128.shuffle<f32>(b, b, 2, 3, 0, 1), ch = v128.shuffle<f32>(c, c, 2, 3, 0, 1);
  const hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(ah), f64x2.promote_low_f32x4(bh)), f64x2.promote_low_f32x4(ch));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function fma1(a: f32, b: f32, c: f32): f32 {
  return <f32>(<f64>a * <f64>b + <f64>c);
}

export const SGD_MOMENTUM: i32 = 1; // keep a momentum buffer
export const SGD_FIRST: i32 = 2; // first step: buffer = d_p
export const SGD_NESTEROV: i32 = 4;
export const SGD_DECAY: i32 = 8; // weightDecay != 0

// @ts-ignore: decorator
@inline function sgdRange(p: usize, g: usize, buf: usize, i: i32, e: i32,
  negLr: f32, wd: f32, mom: f32, damp1: f32, decay: bool, mode: i32): void {
  // mode 0: plain, 1: first momentum step, 2: momentum, 3: first nesterov, 4: nesterov
  const vlr = f32x4.splat(negLr), vwd = f32x4.splat(wd), vm = f32x4.splat(mom), vd = f32x4.splat(damp1);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let d = v128.load(g + o);
    if (decay) d = madd4(vwd, pv, d);
    if (mode == 1 || mode == 3) {
      v128.store(buf + o, d);
      if (mode == 3) d = madd4(vm, d, d);
    } else if (mode == 2 || mode == 4) {
      const b = madd4(vd, d, f32x4.mul(v128.load(buf + o), vm));
      v128.store(buf + o, b);
      d = mode == 4 ? madd4(vm, b, d) : b;
    }
    v128.store(p + o, madd4(vlr, d, pv));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = load<f32>(g + o);
    if (decay) d = madd1(wd, pv, d);
    if (mode == 1 || mode == 3) {
      store<f32>(buf + o, d);
      if (mode == 3) d = madd1(mom, d, d);
    } else if (mode == 2 || mode == 4) {
      const b = madd1(damp1, d, load<f32>(buf + o) * mom);
      store<f32>(buf + o, b);
      d = mode == 4 ? madd1(mom, b, d) : b;
    }
    store<f32>(p + o, madd1(negLr, d, pv));
  }
}

/**
 * PyTorch SGD on n floats: d = g + wd·p; buf = first ? d : mom·buf + (1−dampening)·d;
 * d = nesterov ? d + mom·buf : buf; p += (−lr)·d. `flags` = SGD_* bits.
 */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, negLr: f32, wd: f32, mom: f32, damp1: f32,
  flags: i32, tid: i32, nthreads: i32): void {
  const i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const decay = (flags & SGD_DECAY) != 0;
  let mode = 0;
  if (flags & SGD_MOMENTUM) mode = ((flags & SGD_NESTEROV) ? 3 : 1) + ((flags & SGD_FIRST) ? 0 : 1);
  // Literal arguments let the optimizer specialise each loop (no branches inside).
  if (decay) {
    if (mode == 0) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, true, 0);
    else if (mode == 1) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, true, 1);
    else if (mode == 2) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, true, 2);
    else if (mode == 3) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, true, 3);
    else sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, true, 4);
  } else {
    if (mode == 0) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, false, 0);
    else if (mode == 1) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, false, 1);
    else if (mode == 2) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, false, 2);
    else if (mode == 3) sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, false, 3);
    else sgdRange(p, g, buf, i, e, negLr, wd, mom, damp1, false, 4);
  }
}

export const ADAM_DECAY: i32 = 1; // L2: g += wd·p (Adam)
export const ADAM_DECOUPLED: i32 = 2; // p *= 1 − lr·wd first (AdamW)
export const ADAM_AMSGRAD: i32 = 4;

// @ts-ignore: decorator
@inline function adamRange(p: usize, g: usize, m: usize, v: usize, vmax: usize, i: i32, e: i32,
  negStep: f32, b1: f32, b1c: f32, b2: f32, b2c: f32, eps: f32, wd: f32, shrink: f32, bc2sqrt: f32,
  decay: bool, decoupled: bool, ams: bool): void {
  const vstep = f32x4.splat(negStep), vb1 = f32x4.splat(b1), vb1c = f32x4.splat(b1c), vb2 = f32x4.splat(b2);
  const vb2c = f32x4.splat(b2c), veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vshr = f32x4.splat(shrink);
  const vbc = f32x4.splat(bc2sqrt);
  for (; i + 4 <= e; i += 4) {
    const o = <usize>i << 2;
    let pv = v128.load(p + o);
    if (decoupled) pv = f32x4.mul(pv, vshr);
    let gv = v128.load(g + o);
    if (decay) gv = fma4(vwd, pv, gv);
    const mv = fma4(vb1c, gv, f32x4.mul(v128.load(m + o), vb1));
    let vv = fma4(f32x4.mul(vb2c, gv), gv, f32x4.mul(v128.load(v + o), vb2));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    if (ams) {
      vv = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, vv);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc), veps);
    v128.store(p + o, f32x4.add(pv, f32x4.div(f32x4.mul(vstep, mv), denom)));
  }
  for (; i < e; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    if (decoupled) pv = pv * shrink;
    let gv = load<f32>(g + o);
    if (decay) gv = fma1(wd, pv, gv);
    const mv = fma1(b1c, gv, load<f32>(m + o) * b1);
    let vv = fma1(b2c * gv, gv, load<f32>(v + o) * b2);
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    if (ams) {
      vv = max(load<f32>(vmax + o), vv);
      store<f32>(vmax + o, vv);
    }
    const denom = sqrt<f32>(vv) / bc2sqrt + eps;
    store<f32>(p + o, pv + (negStep * mv) / denom);
  }
}

/**
 * PyTorch Adam/AdamW on n floats: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p += −(lr/bc1)·m / (√v/√bc2 + eps). b1c = 1−β1, b2c = 1−β2, shrink = 1 − lr·wd (AdamW).
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  negStep: f32, b1: f32, b1c: f32, b2: f32, b2c: f32, eps: f32, wd: f32, shrink: f32, bc2sqrt: f32,
  flags: i32, tid: i32, nthreads: i32): void {
  const i = rangeStart(n, tid, nthreads);
  const e = rangeEnd(n, tid, nthreads);
  const ams = (flags & ADAM_AMSGRAD) != 0;
  if (flags & ADAM_DECOUPLED) {
    if (ams) adamRange(p, g, m, v, vmax, i, e, negStep, b1, b1c, b2, b2c, eps, wd, shrink, bc2sqrt, false, true, true);
    else adamRange(p, g, m, v, vmax, i, e, negStep, b1, b1c, b2, b2c, eps, wd, shrink, bc2sqrt, false, true, false);
  } else if (flags & ADAM_DECAY) {
    if (ams) adamRange(p, g, m, v, vmax, i, e, negStep, b1, b1c, b2, b2c, eps, wd, shrink, bc2sqrt, true, false, true);
    else adamRange(p, g, m, v, vmax, i, e, negStep, b1, b1c, b2, b2c, eps, wd, shrink, bc2sqrt, true, false, false);
  } else {
    if (ams) adamRange(p, g, m, v, vmax, i, e, negStep, b1, b1c, b2, b2c, eps, wd, shrink, bc2sqrt, false, false, true);
    else adamRange(p, g, m, v, vmax, i, e, negStep, b1, b1c, b2, b2c, eps, wd, shrink, bc2sqrt, false, false, false);
  }
}
