// The cases gemm-relaxed.test.ts compares between the baseline and the relaxed
// build: shapes around both tiles (5x8 and 6x8), the cache blocks (MC 120, KC,
// NC 1024), the small-matrix cut-off, all transposes, with and without accumulate.
import { randomArray } from '../helpers.js';

export interface RelaxedCase { tA: boolean; tB: boolean; M: number; N: number; K: number; acc: boolean }

export const RELAXED_CASES: RelaxedCase[] = [];
for (const [M, N, K] of [[1, 1, 1], [5, 8, 3], [6, 8, 7], [7, 9, 13], [37, 29, 531], [121, 17, 400], [13, 1030, 70], [64, 64, 1100]]) {
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
    RELAXED_CASES.push({ tA, tB, M, N, K, acc: (M + N) % 2 === 0 });
  }
}

export function relaxedOperands(c: RelaxedCase, index: number) {
  const seed = 100 + 3 * index;
  return {
    a: randomArray(Math.max(1, c.M * c.K), seed),
    b: randomArray(Math.max(1, c.K * c.N), seed + 1),
    c0: randomArray(c.M * c.N, seed + 2),
  };
}
