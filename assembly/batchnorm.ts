// Batch normalisation over x [N, C, S] per channel (S = H·W, 1 for [N, C]).
// Statistics and gradient sums are reductions over N·S: each channel is
// reduced by one thread, in (n, s) order, in float64, so the bits do not
// depend on the thread count. The element-wise passes split over (n, c) rows.
import { unitStart } from "./elementwise";

// @ts-ignore: decorator
@inline const BLOCK: i32 = 256;

// @ts-ignore: decorator
@inline function lanes(v: v128): f64 {
  return <f64>((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
}

// @ts-ignore: decorator
@inline function term(kind: i32, v: v128, gv: v128, mv: v128): v128 {
  if (kind == 0) return v;
  const d = f32x4.sub(v, mv);
  return kind == 1 ? f32x4.mul(d, d) : f32x4.mul(gv, d);
}

// g where the forward's output x·a + sh is > 0, else +0: what reluBackward
// computes from the stored output, rebuilt from the input with bnApply's exact
// arithmetic (f32 mul, then add), so the masked gradient has the same bits.
// @ts-ignore: decorator
@inline function reluMasked(x: v128, g: v128, av: v128, shv: v128): v128 {
  return v128.and(g, f32x4.gt(f32x4.add(f32x4.mul(x, av), shv), f32x4.splat(0.0)));
}
// @ts-ignore: decorator
@inline function reluMasked1(x: f32, g: f32, a: f32, sh: f32): f32 {
  return x * a + sh > <f32>0.0 ? g : <f32>0.0;
}

// Σ over the channel's N·S values of: kind 0 → x, 1 → (x − m)², 2 → g·(x − m)
// (g at `g`; kind 2 also stores Σ g as f32 at sumG); kind 3 is kind 2 with g
// masked by a ReLU of x·a + sh (reluMasked). Blocks of up to 256 values
// are summed in float32 (4 accumulators, 16 terms per lane), blocks in float64,
// all in (n, s) order: the bits do not depend on who runs the channel.
// @ts-ignore: decorator
@inline function channelSum(kind: i32, x: usize, g: usize, c: i32, N: i32, C: i32, S: i32, m: f32, sumG: usize, a: f32, sh: f32): f64 {
  let total: f64 = 0.0;
  let totalG: f64 = 0.0;
  const mv = f32x4.splat(m);
  const z = f32x4.splat(0.0);
  const av = f32x4.splat(a);
  const shv = f32x4.splat(sh);
  const grad = kind >= 2; // kinds 2 and 3 read g
  for (let n = 0; n < N; n++) {
    const row = (<usize>n * C + c) * S << 2;
    for (let b0 = 0; b0 < S; b0 += BLOCK) {
      const b1 = min(S, b0 + BLOCK);
      let a0 = z, a1 = z, a2 = z, a3 = z, q0 = z, q1 = z;
      let s = b0;
      for (; s + 16 <= b1; s += 16) {
        const o = row + (<usize>s << 2);
        const x0 = v128.load(x + o);
        const x1 = v128.load(x + o + 16);
        const x2 = v128.load(x + o + 32);
        const x3 = v128.load(x + o + 48);
        let g0 = grad ? v128.load(g + o) : z;
        let g1 = grad ? v128.load(g + o + 16) : z;
        let g2 = grad ? v128.load(g + o + 32) : z;
        let g3 = grad ? v128.load(g + o + 48) : z;
        if (kind == 3) {
          g0 = reluMasked(x0, g0, av, shv);
          g1 = reluMasked(x1, g1, av, shv);
          g2 = reluMasked(x2, g2, av, shv);
          g3 = reluMasked(x3, g3, av, shv);
        }
        a0 = f32x4.add(a0, term(kind, x0, g0, mv));
        a1 = f32x4.add(a1, term(kind, x1, g1, mv));
        a2 = f32x4.add(a2, term(kind, x2, g2, mv));
        a3 = f32x4.add(a3, term(kind, x3, g3, mv));
        if (grad) {
          q0 = f32x4.add(q0, f32x4.add(g0, g1));
          q1 = f32x4.add(q1, f32x4.add(g2, g3));
        }
      }
      for (; s + 4 <= b1; s += 4) {
        const o = row + (<usize>s << 2);
        const xv = v128.load(x + o);
        let gv = grad ? v128.load(g + o) : z;
        if (kind == 3) gv = reluMasked(xv, gv, av, shv);
        a0 = f32x4.add(a0, term(kind, xv, gv, mv));
        if (grad) q0 = f32x4.add(q0, gv);
      }
      let rest: f32 = 0.0;
      let restG: f32 = 0.0;
      for (; s < b1; s++) {
        const o = row + (<usize>s << 2);
        const v = load<f32>(x + o);
        if (kind == 0) rest += v;
        else if (kind == 1) rest += (v - m) * (v - m);
        else {
          const gs = kind == 3 ? reluMasked1(v, load<f32>(g + o), a, sh) : load<f32>(g + o);
          rest += gs * (v - m);
          restG += gs;
        }
      }
      total += lanes(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3))) + <f64>rest;
      if (grad) totalG += lanes(f32x4.add(q0, q1)) + <f64>restG;
    }
  }
  if (grad) store<f32>(sumG, <f32>totalG);
  return total;
}

/**
 * Training statistics: mean[c], invstd[c] = 1/sqrt(biased var + eps); when
 * runMean != 0, also running = (1 − momentum)·running + momentum·batch with the
 * unbiased variance (PyTorch's rule).
 */
export function bnStats(x: usize, N: i32, C: i32, S: i32, eps: f64, mean: usize, invstd: usize,
  runMean: usize, runVar: usize, momentum: f64, tid: i32, nthreads: i32): void {
  const M = <f64>N * <f64>S;
  const c1 = unitStart(C, tid + 1, nthreads);
  for (let c = unitStart(C, tid, nthreads); c < c1; c++) {
    const m = channelSum(0, x, 0, c, N, C, S, 0.0, 0, 0.0, 0.0) / M;
    const v = channelSum(1, x, 0, c, N, C, S, <f32>m, 0, 0.0, 0.0) / M;
    const o = <usize>c << 2;
    store<f32>(mean + o, <f32>m);
    store<f32>(invstd + o, <f32>(1.0 / Math.sqrt(v + eps)));
    if (runMean != 0) {
      store<f32>(runMean + o, <f32>((1.0 - momentum) * <f64>load<f32>(runMean + o) + momentum * m));
      store<f32>(runVar + o, <f32>((1.0 - momentum) * <f64>load<f32>(runVar + o) + momentum * (v * M / (M - 1.0))));
    }
  }
}

/** Evaluation statistics: mean = running mean, invstd = 1/sqrt(running var + eps). */
export function bnEvalStats(runMean: usize, runVar: usize, C: i32, eps: f64, mean: usize, invstd: usize, tid: i32, nthreads: i32): void {
  const c1 = unitStart(C, tid + 1, nthreads);
  for (let c = unitStart(C, tid, nthreads); c < c1; c++) {
    const o = <usize>c << 2;
    store<f32>(mean + o, load<f32>(runMean + o));
    store<f32>(invstd + o, <f32>(1.0 / Math.sqrt(<f64>load<f32>(runVar + o) + eps)));
  }
}

/** y = x·a + b per channel, a = w·invstd, b = bias − mean·a (w = 1, bias = 0 when the pointer is 0). */
export function bnApply(x: usize, y: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize, w: usize, b: usize, tid: i32, nthreads: i32): void {
  const units = N * C;
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const c = u % C;
    const o = <usize>c << 2;
    const a = (w != 0 ? load<f32>(w + o) : <f32>1.0) * load<f32>(invstd + o);
    const sh = (b != 0 ? load<f32>(b + o) : <f32>0.0) - load<f32>(mean + o) * a;
    const av = f32x4.splat(a);
    const shv = f32x4.splat(sh);
    const row = <usize>u * S << 2;
    let s = 0;
    for (; s + 4 <= S; s += 4) {
      const p = row + (<usize>s << 2);
      v128.store(y + p, f32x4.add(f32x4.mul(v128.load(x + p), av), shv));
    }
    for (; s < S; s++) {
      const p = row + (<usize>s << 2);
      store<f32>(y + p, load<f32>(x + p) * a + sh);
    }
  }
}

// The backward passes. relu = true: the backward of relu(batchNorm(x)) in the
// same passes: g is the gradient of the ReLU's output, masked on the fly where
// the batch norm's output x·a + sh (aff[c] = a, aff[C + c] = sh, as bnApply
// rounded them) is > 0, so neither the masked gradient nor the batch norm's
// output is ever stored; same bits as reluBackward, then relu = false.

// @ts-ignore: decorator
@inline function backwardReduce(relu: bool, x: usize, g: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize, aff: usize,
  sums: usize, gw: usize, gb: usize, tid: i32, nthreads: i32): void {
  const c1 = unitStart(C, tid + 1, nthreads);
  for (let c = unitStart(C, tid, nthreads); c < c1; c++) {
    const o = <usize>c << 2;
    const a = relu ? load<f32>(aff + o) : <f32>0.0;
    const sh = relu ? load<f32>(aff + (<usize>(C + c) << 2)) : <f32>0.0;
    const dot = channelSum(relu ? 3 : 2, x, g, c, N, C, S, load<f32>(mean + o), sums + o, a, sh);
    store<f32>(sums + (<usize>(C + c) << 2), <f32>dot);
    if (gb != 0) store<f32>(gb + o, load<f32>(sums + o));
    if (gw != 0) store<f32>(gw + o, <f32>(dot * <f64>load<f32>(invstd + o)));
  }
}

// @ts-ignore: decorator
@inline function backwardInput(relu: bool, x: usize, g: usize, gx: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize, w: usize,
  sums: usize, aff: usize, training: i32, tid: i32, nthreads: i32): void {
  const units = N * C;
  const M = <f32>(<f64>N * <f64>S);
  const u1 = unitStart(units, tid + 1, nthreads);
  for (let u = unitStart(units, tid, nthreads); u < u1; u++) {
    const c = u % C;
    const o = <usize>c << 2;
    const is = load<f32>(invstd + o);
    const scale = (w != 0 ? load<f32>(w + o) : <f32>1.0) * is;
    const a = relu ? load<f32>(aff + o) : <f32>0.0;
    const sh = relu ? load<f32>(aff + (<usize>(C + c) << 2)) : <f32>0.0;
    const av = f32x4.splat(a);
    const shv = f32x4.splat(sh);
    const sv = f32x4.splat(scale);
    const row = <usize>u * S << 2;
    let s = 0;
    if (training != 0) {
      const m = load<f32>(mean + o);
      const gm = load<f32>(sums + o) / M;
      const k = load<f32>(sums + (<usize>(C + c) << 2)) * is * is / M;
      const mv = f32x4.splat(m);
      const gmv = f32x4.splat(gm);
      const kv = f32x4.splat(k);
      for (; s + 4 <= S; s += 4) {
        const p = row + (<usize>s << 2);
        const xv = v128.load(x + p);
        const d = f32x4.mul(f32x4.sub(xv, mv), kv);
        const gv = relu ? reluMasked(xv, v128.load(g + p), av, shv) : v128.load(g + p);
        v128.store(gx + p, f32x4.mul(f32x4.sub(f32x4.sub(gv, gmv), d), sv));
      }
      for (; s < S; s++) {
        const p = row + (<usize>s << 2);
        const xs = load<f32>(x + p);
        const d = (xs - m) * k;
        const gs = relu ? reluMasked1(xs, load<f32>(g + p), a, sh) : load<f32>(g + p);
        store<f32>(gx + p, ((gs - gm) - d) * scale);
      }
    } else {
      for (; s + 4 <= S; s += 4) {
        const p = row + (<usize>s << 2);
        const gv = relu ? reluMasked(v128.load(x + p), v128.load(g + p), av, shv) : v128.load(g + p);
        v128.store(gx + p, f32x4.mul(gv, sv));
      }
      for (; s < S; s++) {
        const p = row + (<usize>s << 2);
        const gs = relu ? reluMasked1(load<f32>(x + p), load<f32>(g + p), a, sh) : load<f32>(g + p);
        store<f32>(gx + p, gs * scale);
      }
    }
  }
}

/**
 * Per channel: sums[c] = Σ g, sums[C + c] = Σ g·(x − mean); and, where the
 * pointers are not 0, gb[c] = Σ g, gw[c] = Σ g·(x − mean)·invstd.
 */
export function bnBackwardReduce(x: usize, g: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize,
  sums: usize, gw: usize, gb: usize, tid: i32, nthreads: i32): void {
  backwardReduce(false, x, g, N, C, S, mean, invstd, 0, sums, gw, gb, tid, nthreads);
}

/**
 * gx. training != 0 (batch statistics, PyTorch's formula):
 *   gx = (g − Σg/M − (x − mean)·Σg(x − mean)·invstd²/M)·invstd·w
 * training == 0 (running statistics are constants): gx = g·invstd·w.
 */
export function bnBackwardInput(x: usize, g: usize, gx: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize, w: usize,
  sums: usize, training: i32, tid: i32, nthreads: i32): void {
  backwardInput(false, x, g, gx, N, C, S, mean, invstd, w, sums, 0, training, tid, nthreads);
}

/** bnBackwardReduce of the ReLU-masked g (relu(batchNorm(x)), see above). */
export function bnReluBackwardReduce(x: usize, g: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize, aff: usize,
  sums: usize, gw: usize, gb: usize, tid: i32, nthreads: i32): void {
  backwardReduce(true, x, g, N, C, S, mean, invstd, aff, sums, gw, gb, tid, nthreads);
}

/** bnBackwardInput of the ReLU-masked g (relu(batchNorm(x)), see above). */
export function bnReluBackwardInput(x: usize, g: usize, gx: usize, N: i32, C: i32, S: i32, mean: usize, invstd: usize, w: usize,
  sums: usize, aff: usize, training: i32, tid: i32, nthreads: i32): void {
  backwardInput(true, x, g, gx, N, C, S, mean, invstd, w, sums, aff, training, tid, nthreads);
}
