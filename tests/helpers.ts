// Shared test helpers: naive references and comparisons.

/** Naive C = op(A)·op(B) (+ C) in float64, A [M,K] or stored [K,M] when transA. */
export function naiveGemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float64Array | Float32Array, ldc: number, accumulate: boolean,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? c[i * ldc + j] : 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * lda + i] : a[i * lda + k];
        const bv = transB ? b[j * ldb + k] : b[k * ldb + j];
        s += av * bv;
      }
      out[i * N + j] = s;
    }
  }
  return out;
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = (x / 4294967296) * 2 - 1;
  }
  return out;
}

/** Max of |a-b| / (atol + rtol·|b|); ≤ 1 means within tolerance. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

export function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}
