// The packed-weight GEMM conv family (src/ops/conv2d/packed-forward.ts: the
// no-grad forward of the 1x1 and im2col paths with the epilogue inside the
// GEMM), for the kernel tester (tests/kernels/tester.ts): each case against a
// float64 conv + epilogue, the same bits on 1, 2, 3 and 5 threads, and the
// relaxed build. Both GEMM orientations: W·B (assembly/conv2d/packed-gemm-conv.ts)
// and, for planes of at most TRANSPOSED_MAX_COLS pixels, Bᵀ·Wᵀ
// (packed-gemm-conv-transposed.ts). Every case is above GEMM_PARALLEL_MIN_MACS,
// so every thread count really splits.
import * as sn from '../../src/index.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { packedForward, packedTransposed } from '../../src/ops/conv2d/packed-forward.js';
import { randomArray } from '../helpers.js';
import type { KernelFamily } from '../kernels/family.js';
import { refConv, refGeometry } from './conv-reference.js';

/** [name, x shape, w shape, stride, padding, kept weights] */
type PackedCase = [string, number[], number[], number, number, boolean];

export const PACKED_CASES: PackedCase[] = [
  ['1x1 on a 7x7 plane, 64 -> 45 (transposed; OC % 8 != 0)', [1, 64, 7, 7], [45, 64, 1, 1], 1, 0, true],
  ['3x3 stride 2 14x14 -> 7x7, 20 -> 40 (im2col, transposed)', [1, 20, 14, 14], [40, 20, 3, 3], 2, 1, false],
  ['1x1 stride 2 14x14 -> 7x7, two images, 48 -> 60 (im2col, transposed)', [2, 48, 14, 14], [60, 48, 1, 1], 2, 0, true],
  ['1x1 on 7x7, 8 -> 1030 (transposed, two channel blocks)', [1, 8, 7, 7], [1030, 8, 1, 1], 1, 0, false],
  ['1x1 on 5x5, K = 400 (transposed, two K blocks)', [1, 400, 5, 5], [24, 400, 1, 1], 1, 0, true],
  ['1x1 on 14x14, 32 -> 37 (W·B)', [1, 32, 14, 14], [37, 32, 1, 1], 1, 0, true],
  ['3x3 stride 2 20x20 -> 10x10, 16 -> 24 (im2col, W·B)', [1, 16, 20, 20], [24, 16, 3, 3], 2, 1, false],
  ['1x1 on 12x12, 40 -> 37 (W·B; 5·5 + 3·4 rows in the baseline build, a partial 6-row panel in the relaxed one)', [1, 40, 12, 12], [37, 40, 1, 1], 1, 0, true],
  ['1x1 on 12x12, 40 -> 34 (W·B; a 4-row panel last in both builds)', [1, 40, 12, 12], [34, 40, 1, 1], 1, 0, false],
  ['1x1 on 30x30, K = 460 (W·B; two K blocks)', [1, 460, 30, 30], [12, 460, 1, 1], 1, 0, true],
];

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function caseData([, xs, ws, stride, padding]: PackedCase) {
  const OC = ws[0];
  const g = refGeometry(xs, ws, { stride, padding });
  return {
    g,
    x: randomArray(size(xs), 11),
    w: randomArray(size(ws), 12).map((v) => v * 0.3),
    scale: randomArray(OC, 13).map((v) => v + 1.5),
    shift: randomArray(OC, 14),
    res: randomArray(g.N * OC * g.OH * g.OW, 15),
  };
}

export const PACKED_CONV_FAMILY: KernelFamily = {
  name: 'packed GEMM conv + epilogue',
  module: import.meta.url,
  exportName: 'PACKED_CONV_FAMILY',
  cases: () => PACKED_CASES.map((c) => ({
    name: c[0],
    run: () => {
      const [, xs, ws, stride, padding, kept] = c;
      const d = caseData(c);
      const [x, w, scale, shift, res] = [sn.tensor(d.x, xs), sn.tensor(d.w, ws), sn.tensor(d.scale), sn.tensor(d.shift), sn.tensor(d.res, [d.g.N, d.g.OC, d.g.OH, d.g.OW])];
      const g = convGeometry('conv2d', x, w, null, { stride, padding });
      const y = sn.full([g.N, g.OC, g.OH, g.OW], NaN);
      const epi = { scale: scale.ptr(), shift: shift.ptr(), residual: res.ptr(), relu: true };
      packedForward(g, x.ptr(), w.readPtr(), epi, y.ptr(), kept ? w.storage : null);
      if (kept) packedForward(g, x.ptr(), w.readPtr(), epi, y.ptr(), w.storage); // the second call reads the kept panels
      return [y.toFloat32Array()];
    },
    reference: () => {
      const d = caseData(c);
      const { y } = refConv(d.g, d.x, d.w, null, new Float32Array(d.res.length));
      const plane = d.g.OH * d.g.OW;
      return [y.map((v, i) => Math.max(0, v * d.scale[Math.floor(i / plane) % d.g.OC] + d.shift[Math.floor(i / plane) % d.g.OC] + d.res[i]))];
    },
    tol: { atol: 1e-5, rtol: 1e-4 },
  })),
};

/** Whether case `c`'s GEMMs run transposed (its output plane is one band of at most TRANSPOSED_MAX_COLS pixels). */
export function caseIsTransposed(c: PackedCase): boolean {
  const g = refGeometry(c[1], c[2], { stride: c[3], padding: c[4] });
  return packedTransposed(g.OH * g.OW);
}
