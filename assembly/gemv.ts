// y = W·x (+ b) for one input row: a batch-1 Linear layer. W is [N, K]
// row-major (PyTorch's Linear weight), so each output is a dot product of a
// contiguous weight row with x. The GEMM would pack the whole of W (a pass
// over 400 MB for VGG's first classifier layer) for a single use; this streams
// each row once, four rows at a time sharing the loads of x.
//
// Every output is summed in one fixed order (8 lane-partial sums over k mod 8,
// folded (a0+a1) then lanes (l0+l1)+(l2+l3), then the k tail, then the bias)
// by exactly one thread: the same bits for any thread count.
import { unitStart } from "./elementwise";

// @ts-ignore: decorator
@inline function hsum(a: v128, b: v128): f32 {
  const s = f32x4.add(a, b);
  return (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

// @ts-ignore: decorator
@inline function tail(w: usize, x: usize, k0: i32, K: i32): f32 {
  let t: f32 = 0;
  for (let k = k0; k < K; k++) t += load<f32>(w + (<usize>k << 2)) * load<f32>(x + (<usize>k << 2));
  return t;
}

/** y[n] = Σ_k w[n, k]·x[k] + (b ? b[n] : 0) for n < N; threads take contiguous blocks of 4 outputs. */
export function gemvRows(w: usize, x: usize, b: usize, y: usize, N: i32, K: i32, tid: i32, nthreads: i32): void {
  const quads = (N + 3) >> 2;
  const q0 = unitStart(quads, tid, nthreads);
  const q1 = unitStart(quads, tid + 1, nthreads);
  const K8 = K & ~7;
  const row = <usize>K << 2;
  for (let q = q0; q < q1; q++) {
    const n0 = q << 2;
    if (n0 + 4 <= N) {
      const w0 = w + <usize>n0 * row;
      const w1 = w0 + row;
      const w2 = w1 + row;
      const w3 = w2 + row;
      let a0 = f32x4.splat(0); let b0 = f32x4.splat(0);
      let a1 = f32x4.splat(0); let b1 = f32x4.splat(0);
      let a2 = f32x4.splat(0); let b2 = f32x4.splat(0);
      let a3 = f32x4.splat(0); let b3 = f32x4.splat(0);
      for (let k = 0; k < K8; k += 8) {
        const o = <usize>k << 2;
        const xa = v128.load(x + o);
        const xb = v128.load(x + o + 16);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(w0 + o), xa)); b0 = f32x4.add(b0, f32x4.mul(v128.load(w0 + o + 16), xb));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(w1 + o), xa)); b1 = f32x4.add(b1, f32x4.mul(v128.load(w1 + o + 16), xb));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(w2 + o), xa)); b2 = f32x4.add(b2, f32x4.mul(v128.load(w2 + o + 16), xb));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(w3 + o), xa)); b3 = f32x4.add(b3, f32x4.mul(v128.load(w3 + o + 16), xb));
      }
      store<f32>(y + (<usize>n0 << 2), hsum(a0, b0) + tail(w0, x, K8, K) + (b ? load<f32>(b + (<usize>n0 << 2)) : 0));
      store<f32>(y + (<usize>(n0 + 1) << 2), hsum(a1, b1) + tail(w1, x, K8, K) + (b ? load<f32>(b + (<usize>(n0 + 1) << 2)) : 0));
      store<f32>(y + (<usize>(n0 + 2) << 2), hsum(a2, b2) + tail(w2, x, K8, K) + (b ? load<f32>(b + (<usize>(n0 + 2) << 2)) : 0));
      store<f32>(y + (<usize>(n0 + 3) << 2), hsum(a3, b3) + tail(w3, x, K8, K) + (b ? load<f32>(b + (<usize>(n0 + 3) << 2)) : 0));
    } else {
      // The last 1-3 outputs: the same sums, one row at a time.
      for (let n = n0; n < N; n++) {
        const wn = w + <usize>n * row;
        let a = f32x4.splat(0); let c = f32x4.splat(0);
        for (let k = 0; k < K8; k += 8) {
          const o = <usize>k << 2;
          a = f32x4.add(a, f32x4.mul(v128.load(wn + o), v128.load(x + o)));
          c = f32x4.add(c, f32x4.mul(v128.load(wn + o + 16), v128.load(x + o + 16)));
        }
        store<f32>(y + (<usize>n << 2), hsum(a, c) + tail(wn, x, K8, K) + (b ? load<f32>(b + (<usize>n << 2)) : 0));
      }
    }
  }
}
