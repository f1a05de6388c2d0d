// The GEMM tester's table (gemm.test.ts runs it with tester.ts): C (+)= op(A)·op(B)
// with the bias/ReLU epilogue, through src/ops/gemm.ts split over the whole pool,
// against a float64 loop. Rows cover every register tile (5x8 baseline, 6x8
// relaxed, the 4-row edge tile, the MR x 4 half-width tile, partial tiles: M
// and N at every remainder), the cache blocks (MC 120, KC 384, NC 1024), the
// small unpacked path, all transposes, accumulate, strided operands, K = 0,
// batched sn.matmul, and gemvRows (the batch-1 linear kernel).
import * as sn from '../../src/index.js';
import { EPI_BIAS_COL, EPI_BIAS_ROW, EPI_NONE, gemm } from '../../src/ops/gemm.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { naiveGemm, randomArray } from '../helpers.js';
import { nanTensor, type KernelCase, type KernelFamily } from './family.js';

export interface GemmRow {
  M: number; N: number; K: number;
  tA?: boolean; tB?: boolean; acc?: boolean;
  /** Extra floats at the end of every row of A, B and C (leading dimension > width). */
  pad?: number;
  epi?: number; relu?: boolean;
  /** 0: the kernel chooses, 1: packed, 2: unpacked small-matrix path. */
  path?: number;
}

const TRANS = [[false, false], [true, false], [false, true], [true, true]] as const;

export const GEMM_ROWS: GemmRow[] = [
  // 1x1x1 and primes, all transposes, accumulate on and off.
  ...TRANS.flatMap(([tA, tB]) => [false, true].flatMap((acc) => [
    { M: 1, N: 1, K: 1, tA, tB, acc }, { M: 37, N: 29, K: 531, tA, tB, acc },
  ])),
  // Sizes 1..70 around the tiles, with strides: every M % 5, M % 6 and N % 8.
  ...TRANS.flatMap(([tA, tB]) => {
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17, 23, 31, 33, 47, 64, 65, 70];
    return sizes.map((M, s) => ({
      M, N: sizes[(s * 7 + 3) % sizes.length], K: sizes[(s * 13 + 5) % sizes.length], tA, tB, pad: s % 3, acc: s % 2 === 1,
    }));
  }),
  // Whole tiles of each build, and M % MR == 4 in both (the 4x8 edge tile).
  { M: 5, N: 8, K: 3 }, { M: 6, N: 8, K: 7, tA: true }, { M: 30, N: 16, K: 50, path: 1 }, { M: 64, N: 64, K: 100, tB: true },
  // Past the cache blocks: K > KC, N > NC, M > MC.
  { M: 13, N: 1100, K: 800, pad: 1, acc: true }, { M: 121, N: 17, K: 400, tA: true }, { M: 64, N: 64, K: 1100, tA: true, tB: true },
  // The split: along M, along N when M is short, back to M when N has too few tiles.
  { M: 130, N: 40, K: 450, acc: true }, { M: 11, N: 300, K: 37, tA: true, tB: true }, { M: 15, N: 16, K: 40 },
  // Packed and unpacked path forced (the same bits: gemm.test.ts).
  ...[1, 2].flatMap((path) => TRANS.flatMap(([tA, tB]) => [
    { M: 7, N: 9, K: 13, tA, tB, pad: 1, acc: true, path }, { M: 64, N: 70, K: 65, tA, tB, pad: 1, path }, { M: 5, N: 8, K: 1, tA, tB, pad: 1, acc: true, path },
    // a last column panel of 4 (the MR x 4 half-width tile), on whole and partial row panels
    { M: 12, N: 20, K: 33, tA, tB, pad: 1, acc: true, path }, { M: 30, N: 4, K: 70, tA, tB, path },
  ])),
  // K = 0: zeros, or C unchanged when accumulating.
  { M: 3, N: 5, K: 0 }, { M: 3, N: 5, K: 0, acc: true },
  // Epilogues: bias per row (conv) or per column (linear), ReLU, on both paths and after accumulation.
  { M: 37, N: 29, K: 53, epi: EPI_BIAS_ROW }, { M: 37, N: 29, K: 53, epi: EPI_BIAS_COL, relu: true, tA: true },
  { M: 9, N: 10, K: 7, epi: EPI_BIAS_ROW, relu: true, acc: true, path: 2 }, { M: 131, N: 67, K: 257, epi: EPI_BIAS_COL, tB: true },
  { M: 40, N: 1030, K: 20, relu: true, acc: true },
];

/** Operands of a row: A, B, C (strided by `pad`) and a bias of max(M, N). */
function operands(r: GemmRow, seed: number) {
  const pad = r.pad ?? 0;
  const lda = (r.tA ? r.M : r.K) + pad, ldb = (r.tB ? r.K : r.N) + pad, ldc = r.N + pad;
  return {
    lda, ldb, ldc,
    a: randomArray(Math.max(1, (r.tA ? r.K : r.M) * lda), seed),
    b: randomArray(Math.max(1, (r.tB ? r.N : r.K) * ldb), seed + 1),
    c: randomArray(Math.max(1, r.M * ldc), seed + 2),
    bias: randomArray(Math.max(r.M, r.N), seed + 3),
  };
}

/** C after the kernel, the whole strided buffer (padding columns must come back untouched). */
export function runGemmRow(r: GemmRow, seed: number, path = r.path ?? 0): Float32Array {
  const o = operands(r, seed);
  const [A, B, C, bias] = [o.a, o.b, o.c, o.bias].map((d) => sn.tensor(d, [d.length]));
  gemm({
    transA: r.tA, transB: r.tB, M: r.M, N: r.N, K: r.K, a: A.ptr(), lda: o.lda, b: B.ptr(), ldb: o.ldb, c: C.ptr(), ldc: o.ldc,
    accumulate: r.acc, bias: bias.ptr(), epilogue: r.epi ?? EPI_NONE, relu: r.relu, path, threads: sn.backendInfo().threads,
  });
  return C.toFloat32Array();
}

function referenceGemm(r: GemmRow, seed: number): Float64Array {
  const o = operands(r, seed);
  const dense = naiveGemm(!!r.tA, !!r.tB, r.M, r.N, r.K, o.a, o.lda, o.b, o.ldb, o.c, o.ldc, !!r.acc);
  const out = Float64Array.from(o.c);
  for (let i = 0; i < r.M; i++) {
    for (let j = 0; j < r.N; j++) {
      let v = dense[i * r.N + j] + (r.epi === EPI_BIAS_ROW ? o.bias[i] : r.epi === EPI_BIAS_COL ? o.bias[j] : 0);
      if (r.relu) v = Math.max(v, 0);
      out[i * o.ldc + j] = v;
    }
  }
  return out;
}

const label = (r: GemmRow) => `${r.M}x${r.N}x${r.K}${r.tA ? ' tA' : ''}${r.tB ? ' tB' : ''}${r.acc ? ' acc' : ''}` +
  `${r.pad ? ` pad ${r.pad}` : ''}${r.epi ? ` epi ${r.epi}` : ''}${r.relu ? ' relu' : ''}${r.path ? ` path ${r.path}` : ''}`;

/** sn.matmul on stacks: [B, M, K]·[K, N] (one GEMM over B·M rows) and [B, M, K]·[B, K, N] (one per entry), big enough to split. */
const BATCHED: { as: number[]; bs: number[] }[] = [
  { as: [3, 70, 48], bs: [48, 65] }, { as: [3, 61, 40], bs: [3, 40, 66] },
];

function batchedCase({ as, bs }: { as: number[]; bs: number[] }, seed: number): KernelCase {
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const [M, K, N] = [as[as.length - 2], as[as.length - 1], bs[bs.length - 1]];
  const batch = Math.max(size(as.slice(0, -2)), size(bs.slice(0, -2)));
  const a = randomArray(size(as), seed), b = randomArray(size(bs), seed + 1);
  return {
    name: `matmul ${JSON.stringify(as)}·${JSON.stringify(bs)}`,
    run: () => [sn.matmul(sn.tensor(a, as), sn.tensor(b, bs)).toFloat32Array()],
    reference: () => {
      // an operand with one matrix repeats over the other's batch.
      const aPer = size(as.slice(0, -2)), bPer = size(bs.slice(0, -2));
      const out = new Float64Array(batch * M * N);
      for (let e = 0; e < batch; e++) {
        const ae = a.subarray((aPer === 1 ? 0 : e) * M * K, ((aPer === 1 ? 0 : e) + 1) * M * K);
        const be = b.subarray((bPer === 1 ? 0 : e) * K * N, ((bPer === 1 ? 0 : e) + 1) * K * N);
        out.set(naiveGemm(false, false, M, N, K, ae, K, be, N, new Float64Array(0), N, false), e * M * N);
      }
      return [out];
    },
    tol: { atol: 1e-6 * K, rtol: 1e-5 },
  };
}

/** gemvRows (batch-1 linear): y = W·x + b for W [N, K], rows in quads plus a tail, K in blocks of 8 plus a tail. */
function gemvCase(N: number, K: number, seed: number): KernelCase {
  const [w, x, b] = [randomArray(N * K, seed), randomArray(K, seed + 1), randomArray(N, seed + 2)];
  return {
    name: `gemvRows ${N}x${K}`,
    run: () => {
      const [wt, xt, bt] = [w, x, b].map((d) => sn.tensor(d, [d.length]));
      const y = nanTensor([N]);
      kernels.gemvRows({ w: wt.ptr(), x: xt.ptr(), b: bt.ptr(), y: y.ptr(), N, K });
      return [y.toFloat32Array()];
    },
    reference: () => {
      const y = naiveGemm(false, true, 1, N, K, x, K, w, K, new Float64Array(0), N, false);
      return [y.map((v, i) => v + b[i])];
    },
    tol: { atol: 1e-6 * K, rtol: 1e-5 },
  };
}

export const GEMM_FAMILY: KernelFamily = {
  name: 'gemm',
  module: import.meta.url,
  exportName: 'GEMM_FAMILY',
  relaxedChangesBits: true,
  cases: () => [
    ...GEMM_ROWS.map((r, i): KernelCase => ({
      name: label(r),
      run: () => [runGemmRow(r, 10 + 4 * i)],
      reference: () => [referenceGemm(r, 10 + 4 * i)],
      // float32 sums of K products of values in [-1,1): error grows ~ sqrt(K)·eps·|terms|
      tol: { atol: 1e-6 * Math.max(1, r.K), rtol: 1e-5 },
    })),
    ...BATCHED.map((b, i) => batchedCase(b, 1000 + 2 * i)),
    ...[[13, 37], [8, 16], [3, 9], [1, 1], [1001, 75]].map(([N, K], i) => gemvCase(N, K, 1100 + 3 * i)),
  ],
};
