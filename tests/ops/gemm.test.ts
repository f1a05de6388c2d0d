import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gemm } from '../../src/ops/gemm.js';
import { backend } from '../../src/runtime/backend.js';
import { bitsEqual, maxRelErr, naiveGemm, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

interface Case { tA: boolean; tB: boolean; M: number; N: number; K: number; pad: number; acc: boolean }

/** Runs one GEMM through the kernel on padded (strided) operands; returns C and the float64 reference. */
function runCase(c: Case, path = 0, seed = 1) {
  const { tA, tB, M, N, K, pad, acc } = c;
  const lda = (tA ? M : K) + pad;
  const ldb = (tB ? K : N) + pad;
  const ldc = N + pad;
  const aRows = tA ? K : M;
  const bRows = tB ? N : K;
  const aData = randomArray(Math.max(1, aRows * lda), seed);
  const bData = randomArray(Math.max(1, bRows * ldb), seed + 1);
  const cData = randomArray(Math.max(1, M * ldc), seed + 2);
  const A = sn.tensor(aData, [aData.length]);
  const B = sn.tensor(bData, [bData.length]);
  const C = sn.tensor(cData, [cData.length]);
  gemm({ transA: tA, transB: tB, M, N, K, a: A.ptr(), lda, b: B.ptr(), ldb, c: C.ptr(), ldc, accumulate: acc, path });
  const got = C.toFloat32Array();
  const ref = naiveGemm(tA, tB, M, N, K, aData, lda, bData, ldb, cData, ldc, acc);
  const gotDense = new Float32Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) gotDense[i * N + j] = got[i * ldc + j];
  // Padding columns of C must be untouched.
  for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) expect(got[i * ldc + j]).toBe(cData[i * ldc + j]);
  [A, B, C].forEach((t) => t.dispose());
  return { got: gotDense, ref };
}

function tolerance(K: number) {
  // float32 sums of K products of values in [-1,1): error grows ~ sqrt(K)·eps·|terms|
  return { atol: 1e-6 * Math.max(1, K), rtol: 1e-5 };
}

describe('gemm kernel against a naive loop', () => {
  const trans = [[false, false], [true, false], [false, true], [true, true]] as const;

  it('1x1x1 and primes 37x29x531, all transposes, accumulate on/off', () => {
    for (const [tA, tB] of trans) {
      for (const acc of [false, true]) {
        for (const [M, N, K] of [[1, 1, 1], [37, 29, 531]]) {
          const { got, ref } = runCase({ tA, tB, M, N, K, pad: 0, acc });
          const t = tolerance(K);
          expect(maxRelErr(got, ref, t.atol, t.rtol), `${M}x${N}x${K} tA=${tA} tB=${tB} acc=${acc}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('sizes that are not multiples of the tile, 1..70, with strides', () => {
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17, 23, 31, 33, 47, 64, 65, 70];
    let n = 0;
    for (const [tA, tB] of trans) {
      for (let s = 0; s < sizes.length; s++) {
        const M = sizes[s];
        const N = sizes[(s * 7 + 3) % sizes.length];
        const K = sizes[(s * 13 + 5) % sizes.length];
        const pad = s % 3;
        const acc = s % 2 === 1;
        const { got, ref } = runCase({ tA, tB, M, N, K, pad, acc }, 0, s + 10);
        const t = tolerance(K);
        expect(maxRelErr(got, ref, t.atol, t.rtol), `${M}x${N}x${K} tA=${tA} tB=${tB}`).toBeLessThanOrEqual(1);
        n++;
      }
    }
    expect(n).toBe(80);
  });

  it('K larger than one cache block and N larger than NC', () => {
    const { got, ref } = runCase({ tA: false, tB: false, M: 13, N: 1100, K: 800, pad: 1, acc: true });
    const t = tolerance(800);
    expect(maxRelErr(got, ref, t.atol, t.rtol)).toBeLessThanOrEqual(1);
  });

  it('K = 0 gives zeros (or leaves C when accumulating)', () => {
    const z = runCase({ tA: false, tB: false, M: 3, N: 5, K: 0, pad: 0, acc: false });
    expect(Array.from(z.got)).toEqual(new Array(15).fill(0));
    const a = runCase({ tA: false, tB: false, M: 3, N: 5, K: 0, pad: 0, acc: true });
    expect(maxRelErr(a.got, a.ref)).toBe(0);
  });

  it('the packed and the unpacked path give the same bits', () => {
    for (const [tA, tB] of trans) {
      for (const [M, N, K] of [[7, 9, 13], [37, 29, 531], [64, 70, 65], [5, 8, 1]]) {
        for (const acc of [false, true]) {
          const packed = runCase({ tA, tB, M, N, K, pad: 1, acc }, 1, 99);
          const small = runCase({ tA, tB, M, N, K, pad: 1, acc }, 2, 99);
          expect(bitsEqual(packed.got, small.got), `${M}x${N}x${K} tA=${tA} tB=${tB} acc=${acc}`).toBe(true);
        }
      }
    }
  });
});

describe('gemm thread split', () => {
  // Runs the kernel's (tid, nthreads) parts one after another on this thread:
  // every split must give the bits of the one-thread call (each C element is
  // computed by one part, summing in k order), along M and along N.
  function split(tA: boolean, tB: boolean, M: number, N: number, K: number, nthreads: number, acc: boolean): Float32Array {
    const be = backend();
    const k = be.kernels;
    const lda = tA ? M : K, ldb = tB ? K : N;
    const A = sn.tensor(randomArray(M * K, 5), [M * K]);
    const B = sn.tensor(randomArray(K * N, 6), [K * N]);
    const C = sn.tensor(randomArray(M * N, 7), [M * N]);
    const scratch = be.heap.alloc(nthreads * k.gemmScratchFloats() * 4);
    for (let tid = 0; tid < nthreads; tid++) {
      k.gemm(tA ? 1 : 0, tB ? 1 : 0, M, N, K, A.ptr(), lda, B.ptr(), ldb, acc ? 1 : 0, C.ptr(), N, 0, 0, 0, scratch, 1, tid, nthreads);
    }
    be.heap.release(scratch);
    const out = C.toFloat32Array();
    [A, B, C].forEach((t) => t.dispose());
    return out;
  }

  it('gives the same bits for 1, 2, 3 and 7 parts', () => {
    // 130x40: split along M; 11x300: few rows, split along N; K crosses a KC block.
    for (const [M, N, K] of [[130, 40, 450], [11, 300, 37]]) {
      for (const [tA, tB] of [[false, false], [true, true]]) {
        for (const acc of [false, true]) {
          const one = split(tA, tB, M, N, K, 1, acc);
          for (const n of [2, 3, 7]) {
            expect(bitsEqual(split(tA, tB, M, N, K, n, acc), one), `${M}x${N}x${K} tA=${tA} tB=${tB} acc=${acc} n=${n}`).toBe(true);
          }
        }
      }
    }
  });
});

describe('matmul (public API)', () => {
  it('multiplies [M,K]·[K,N]', () => {
    const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = sn.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
    const c = sn.matmul(a, b);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.toFloat32Array())).toEqual([58, 64, 139, 154]);
  });

  it('rejects bad input with SimdnnError naming the shapes', () => {
    const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = sn.tensor([1, 2, 3, 4], [2, 2]);
    expect(() => sn.matmul(a, b)).toThrow(sn.SimdnnError);
    expect(() => sn.matmul(a, b)).toThrow(/inner dimensions differ: a \[2,3\] vs b \[2,2\]/);
    expect(() => sn.matmul(sn.tensor([1, 2, 3], [3]), b)).toThrow(/inner dimensions differ: a \[3\] vs b \[2,2\]/);
    expect(() => sn.matmul(a, sn.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]))).toThrow(/inner dimensions differ: a \[2,3\] vs b \[2,2,2\]/);
    expect(() => sn.matmul(sn.tensor([1], []), b)).toThrow(/both operands must have at least one dim/);
    expect(() => sn.matmul(new Int32Array([1, 2]) as never, b)).toThrow(/a must be a Tensor, got Int32Array/);
    expect(() => sn.matmul([[1]] as never, b)).toThrow(sn.SimdnnError);
  });

  it('gradients: dA = g·Bᵀ, dB = Aᵀ·g', () => {
    const a = sn.tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
    const b = sn.tensor([7, 8, 9, 10, 11, 12], [3, 2], { requiresGrad: true });
    const c = sn.matmul(a, b);
    c.backward(sn.tensor([1, 0, 0, 1], [2, 2]));
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([7, 9, 11, 8, 10, 12]);
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
