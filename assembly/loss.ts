// Loss kernels: cross-entropy from logits through a stable per-row
// log-sum-exp, and the element-wise regression losses. exp and log come from
// math.ts (computed in wasm, the same bits in every engine). Sums run in
// float64 in a fixed order, so results do not depend on the thread count.
import { rangeStart, rangeEnd, unitStart } from "./elementwise";
import { expv, expf32, logf32 } from "./math";

/**
 * Cross-entropy rows. For each row r of logits x [rows, C]: logp = x − logsumexp(x)
 * (stored, the backward needs it) and loss[r] = −Σ_c t_c·logp_c with the smoothed
 * target t = (1−ε)·target + ε/C, where target is row r of `soft` [rows, C] or the
 * one-hot of `idx[r]` (i32) when `soft` is 0.
 */
export function crossEntropyForward(x: usize, soft: usize, idx: usize, logp: usize, loss: usize,
  rows: i32, C: i32, eps: f32, tid: i32, nthreads: i32): void {
  const r0 = unitStart(rows, tid, nthreads), r1 = unitStart(rows, tid + 1, nthreads);
  const keep = 1.0 - <f64>eps, spread = <f64>eps / <f64>C;
  for (let r = r0; r < r1; r++) {
    const row = x + ((<usize>r * C) << 2), out = logp + ((<usize>r * C) << 2);
    let m: f32 = -Infinity;
    for (let c = 0; c < C; c++) m = max(m, load<f32>(row + (<usize>c << 2)));
    const vm = f32x4.splat(m);
    let c = 0;
    for (; c + 4 <= C; c += 4) v128.store(out + (<usize>c << 2), expv(f32x4.sub(v128.load(row + (<usize>c << 2)), vm)));
    for (; c < C; c++) store<f32>(out + (<usize>c << 2), expf32(load<f32>(row + (<usize>c << 2)) - m));
    let s: f64 = 0;
    for (c = 0; c < C; c++) s += <f64>load<f32>(out + (<usize>c << 2));
    // logp = (x − max) − log Σe^(x−max), as PyTorch: x − max is exact, while x − logsumexp
    // would round at the magnitude of the logits (6e-5 at ±1000).
    const ls = logf32(<f32>s); // s ≥ 1: the max's own term is e^0
    let total: f64 = 0, all: f64 = 0;
    for (c = 0; c < C; c++) {
      const lp = (load<f32>(row + (<usize>c << 2)) - m) - ls;
      store<f32>(out + (<usize>c << 2), lp);
      all += <f64>lp;
      if (soft != 0) total += (<f64>load<f32>(soft + ((<usize>r * C + c) << 2)) * keep + spread) * <f64>lp;
    }
    if (soft == 0) total = keep * <f64>load<f32>(out + (<usize>load<i32>(idx + (<usize>r << 2)) << 2)) + spread * all;
    store<f32>(loss + (<usize>r << 2), <f32>(-total));
  }
}

/**
 * Gradients of cross-entropy rows: dx_c = g_r·(Σt·softmax_c − t_c) with t the
 * smoothed target, softmax = e^logp; dtarget_c = −g_r·(1−ε)·logp_c when `gt` ≠ 0.
 * g_r = g[r·gstride]·scale (gstride 0: one gradient for all rows).
 */
export function crossEntropyBackward(logp: usize, soft: usize, idx: usize, g: usize, gstride: i32, scale: f32,
  gx: usize, gt: usize, rows: i32, C: i32, eps: f32, tid: i32, nthreads: i32): void {
  const r0 = unitStart(rows, tid, nthreads), r1 = unitStart(rows, tid + 1, nthreads);
  const keep: f32 = 1.0 - eps, spread: f32 = eps / <f32>C;
  for (let r = r0; r < r1; r++) {
    const base = (<usize>r * C) << 2;
    const gr = load<f32>(g + ((<usize>r * gstride) << 2)) * scale;
    let tsum: f32 = 1.0;
    if (soft != 0) {
      let s: f64 = 0;
      for (let c = 0; c < C; c++) s += <f64>(load<f32>(soft + base + (<usize>c << 2)) * keep + spread);
      tsum = <f32>s;
    }
    const y = soft == 0 ? load<i32>(idx + (<usize>r << 2)) : -1;
    const vt = f32x4.splat(tsum), vg = f32x4.splat(gr), vk = f32x4.splat(keep), vs = f32x4.splat(spread);
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = base + (<usize>c << 2);
      const lp = v128.load(logp + o);
      const t = soft != 0 ? f32x4.add(f32x4.mul(v128.load(soft + o), vk), vs) : vs; // the label is patched below
      v128.store(gx + o, f32x4.mul(vg, f32x4.sub(f32x4.mul(vt, expv(lp)), t)));
    }
    for (; c < C; c++) {
      const o = base + (<usize>c << 2);
      const t: f32 = soft != 0 ? load<f32>(soft + o) * keep + spread : spread;
      store<f32>(gx + o, gr * (tsum * expf32(load<f32>(logp + o)) - t));
    }
    if (soft == 0) {
      // The one-hot term of the class-index target: subtract g_r·(1−ε) at the label.
      const o = base + (<usize>y << 2);
      store<f32>(gx + o, gr * (expf32(load<f32>(logp + o)) - (keep + spread)));
    }
    if (gt != 0) {
      const vn = f32x4.splat(-gr * keep);
      for (c = 0; c + 4 <= C; c += 4) {
        const o = base + (<usize>c << 2);
        v128.store(gt + o, f32x4.mul(vn, v128.load(logp + o)));
      }
      for (; c < C; c++) store<f32>(gt + base + (<usize>c << 2), -gr * keep * load<f32>(logp + base + (<usize>c << 2)));
    }
  }
}

export const LOSS_L1: i32 = 0;
export const LOSS_MSE: i32 = 1;
export const LOSS_SMOOTH_L1: i32 = 2; // param = beta (> 0; beta 0 is run as L1)
export const LOSS_HUBER: i32 = 3; // param = delta

// @ts-ignore: decorator
@inline function elemLoss(kind: i32, d: f32, param: f32): f32 {
  const z = abs<f32>(d);
  if (kind == LOSS_L1) return z;
  if (kind == LOSS_MSE) return d * d;
  if (kind == LOSS_SMOOTH_L1) return z < param ? 0.5 * z * z / param : z - 0.5 * param;
  return z < param ? 0.5 * z * z : param * (z - 0.5 * param);
}

// @ts-ignore: decorator
@inline function elemGrad(kind: i32, d: f32, param: f32): f32 {
  if (kind == LOSS_L1) return d > 0 ? 1 : d < 0 ? -1 : 0;
  if (kind == LOSS_MSE) return 2 * d;
  if (kind == LOSS_SMOOTH_L1) return d < -param ? -1 : d > param ? 1 : d / param;
  return d < -param ? -param : d > param ? param : d;
}

/** out[i] = loss(a[i] − b[i]) for one of the LOSS_* kinds. */
export function regressionLoss(kind: i32, a: usize, b: usize, out: usize, n: i32, param: f32, tid: i32, nthreads: i32): void {
  const e = rangeEnd(n, tid, nthreads);
  for (let i = rangeStart(n, tid, nthreads); i < e; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, elemLoss(kind, load<f32>(a + o) - load<f32>(b + o), param));
  }
}

/**
 * ga[i] = g_i·loss'(a[i] − b[i]) and gb[i] = −ga[i] (each skipped when its pointer is 0),
 * with g_i = g[i·gstride]·scale.
 */
export function regressionLossBackward(kind: i32, a: usize, b: usize, g: usize, gstride: i32, scale: f32,
  ga: usize, gb: usize, n: i32, param: f32, tid: i32, nthreads: i32): void {
  const e = rangeEnd(n, tid, nthreads);
  for (let i = rangeStart(n, tid, nthreads); i < e; i++) {
    const o = <usize>i << 2;
    const v = elemGrad(kind, load<f32>(a + o) - load<f32>(b + o), param) * (load<f32>(g + ((<usize>i * gstride) << 2)) * scale);
    if (ga != 0) store<f32>(ga + o, v);
    if (gb != 0) store<f32>(gb + o, -v);
  }
}

/** out[0] = (Σ src[i]) / divisor, summed in float64 in index order (one thread). */
export function sumScaled(src: usize, out: usize, n: i32, divisor: f64): void {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>load<f32>(src + (<usize>i << 2));
  store<f32>(out, <f32>(s / divisor));
}
