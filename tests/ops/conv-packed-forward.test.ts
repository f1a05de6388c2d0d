// The GEMM paths' packed-weight forward with the fused epilogue
// (src/ops/conv2d/packed-forward.ts, assembly/conv2d/packed-gemm-conv.ts):
// the bits of the path's own forward followed by affinePlanesInPlace, for
// every epilogue, with the panels packed per call or kept, split over 1..5
// simulated threads, in both GEMM orientations, and inside the graph executor (a ResNet-50 bottleneck).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { convGeometry, type ConvGeom } from '../../src/ops/conv2d/geometry.js';
import { choosePath } from '../../src/ops/conv2d/choose-path.js';
import { CONV_ALGORITHMS } from '../../src/ops/conv2d/algorithms.js';
import { packedForward, packedForwardApplies, type ConvEpilogue } from '../../src/ops/conv2d/packed-forward.js';
import { withScratch } from '../../src/ops/conv2d/scratch.js';
import { graphPlanOf } from '../../src/graph/module-graph.js';
import type { Tensor } from '../../src/tensor.js';
import { empty } from '../../src/ops/basic.js';
import { bitsEqual } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

// [N, C, H, OC, kernel, stride, padding]: the edge cases of the 5x8 / 6x8 tiles (OC % MR, columns % 8), batch > 1, bands.
const CASES: [number, number, number, number, number, number, number][] = [
  [1, 24, 7, 37, 1, 1, 0], // 1x1, 49 columns (a 1-column edge tile), 37 channels
  [2, 16, 14, 64, 1, 1, 0], // 1x1, two images of 196 columns, 64 channels (a 4-row tile in the baseline build)
  [1, 3, 30, 16, 7, 2, 3], // the ResNet stem's shape of im2col
  [1, 20, 9, 33, 3, 2, 1], // 3x3 stride 2
  [2, 32, 10, 24, 1, 2, 0], // 1x1 stride 2 (im2col)
  [1, 4, 300, 8, 3, 1, 1], // a tall image: several im2col bands
  [1, 400, 5, 12, 1, 1, 0], // K = 400: two K blocks (KC = 384), the epilogue after the last
  [1, 8, 40, 10, 1, 1, 0], // 1,600 columns: two column blocks (NC = 1024)
  [1, 16, 6, 130, 1, 1, 0], // 130 channels: two row blocks (MC = 120)
  [1, 460, 30, 12, 1, 1, 0], // W·B (900 columns), K = 460: two K blocks (384 + 76), the epilogue after the last
  [1, 1030, 9, 10, 1, 1, 0], // W·B (81 columns), K = 1030: three K blocks
];

interface Layer { g: ConvGeom; x: Tensor; w: Tensor; scale: Tensor; shift: Tensor; res: Tensor }

function layer([N, C, H, OC, k, s, p]: (typeof CASES)[number], seed: number): Layer {
  const x = sn.keep(sn.randn([N, C, H, H], { seed }));
  const w = sn.keep(sn.randn([OC, C, k, k], { seed: seed + 1 }).mul(0.3));
  const g = convGeometry('conv2d', x, w, null, { stride: s, padding: p });
  const scale = sn.keep(sn.rand([OC], { seed: seed + 2 }).add(0.5));
  const shift = sn.keep(sn.randn([OC], { seed: seed + 3 }));
  const res = sn.keep(sn.randn([N, OC, g.OH, g.OW], { seed: seed + 4 }));
  return { g, x, w, scale, shift, res };
}

/** The epilogues the executor makes: a conv bias, a batch norm + ReLU, the same + residual, a ReLU alone. */
function epilogues(l: Layer): ConvEpilogue[] {
  return [
    { scale: 0, shift: l.shift.ptr(), residual: 0, relu: false },
    { scale: l.scale.ptr(), shift: l.shift.ptr(), residual: 0, relu: true },
    { scale: l.scale.ptr(), shift: l.shift.ptr(), residual: l.res.ptr(), relu: true },
    { scale: 0, shift: 0, residual: 0, relu: true },
  ];
}

/** The path's own forward without bias, then the separate epilogue pass: what the executor did before. */
function reference(l: Layer, e: ConvEpilogue): Float32Array {
  const { g } = l;
  const y = empty([g.N, g.OC, g.OH, g.OW]);
  CONV_ALGORITHMS[choosePath(g)].forward(g, l.x.ptr(), l.w.ptr(), 0, y.ptr());
  kernels.affinePlanesInPlace({
    y: y.ptr(), planes: g.N * g.OC, C: g.OC, S: g.OH * g.OW, scale: e.scale, shift: e.shift, src: e.residual, relu: e.relu ? 1 : 0,
  });
  const out = y.toFloat32Array();
  y.dispose();
  return out;
}

function packed(l: Layer, e: ConvEpilogue, keep: boolean): Float32Array {
  const { g } = l;
  const y = sn.full([g.N, g.OC, g.OH, g.OW], NaN);
  packedForward(g, l.x.ptr(), l.w.readPtr(), e, y.ptr(), keep ? l.w.storage : null);
  const out = y.toFloat32Array();
  y.dispose();
  return out;
}

describe('packed-weight GEMM convolution with a fused epilogue', () => {
  it('gives the bits of the path then affinePlanesInPlace, packed per call or kept', () => {
    CASES.forEach((c, i) => {
      const l = layer(c, 10 * i + 1);
      expect(packedForwardApplies(l.g, choosePath(l.g)), `case ${i}`).toBe(true);
      for (const [j, e] of epilogues(l).entries()) {
        const ref = reference(l, e);
        expect(bitsEqual(packed(l, e, false), ref), `case ${i}, epilogue ${j}, per call`).toBe(true);
        expect(bitsEqual(packed(l, e, true), ref), `case ${i}, epilogue ${j}, kept`).toBe(true);
      }
      for (const t of [l.x, l.w, l.scale, l.shift, l.res]) t.dispose();
    });
  });

  it('does not depend on the thread count (the kernel split over 1..5 simulated threads)', () => {
    const be = backend();
    for (const [i, c] of [CASES[0], CASES[1]].entries()) {
      const l = layer(c, 100 + i);
      const { g } = l;
      const K = g.C;
      const HW = g.H * g.W;
      const floats = kernels.packedConvWeightFloats({ OC: g.OC, K });
      withScratch([floats, 5 * kernels.gemmScratchFloats({})], (wp, scratch) => {
        const e = epilogues(l)[2];
        const y = sn.zeros([g.OC, HW]);
        const run = (n: number) => {
          y.view().fill(NaN);
          for (let tid = 0; tid < n; tid++) be.kernels.packConvWeightPanels(l.w.ptr(), g.OC, K, wp, tid, n);
          for (let tid = 0; tid < n; tid++) {
            be.kernels.packedConvGemm(wp, g.OC, K, l.x.ptr(), HW, HW, y.ptr(), HW, e.scale, e.shift, e.residual, 1, scratch, tid, n);
          }
          return y.toFloat32Array();
        };
        const one = run(1);
        expect(one.some(Number.isNaN)).toBe(false);
        for (const n of [2, 3, 5]) expect(bitsEqual(run(n), one), `case ${i}, ${n} threads`).toBe(true);
        y.dispose();
      });
      for (const t of [l.x, l.w, l.scale, l.shift, l.res]) t.dispose();
    }
  });

  it('computes W·B transposed (Bᵀ·Wᵀ) with the same bits, in blocks of 64 pixels, on 1..5 simulated threads', () => {
    const be = backend();
    // packedForward hands either kernel the GEMM's per-thread scratch
    expect(kernels.transposedConvScratchFloats({})).toBeLessThanOrEqual(kernels.gemmScratchFloats({}));
    for (const [i, c] of [CASES[1], CASES[8]].entries()) {
      const l = layer(c, 200 + i);
      const { g } = l;
      const K = g.C;
      const HW = g.H * g.W; // 196 and 36 columns: several pixel blocks and one
      const [fa, fb] = [kernels.packedConvWeightFloats({ OC: g.OC, K }), kernels.packedConvColumnFloats({ OC: g.OC, K })];
      withScratch([fa, fb, 5 * kernels.gemmScratchFloats({})], (wp, wt, scratch) => {
        const e = epilogues(l)[2];
        const y = sn.zeros([g.OC, HW]);
        be.kernels.packConvWeightPanels(l.w.ptr(), g.OC, K, wp, 0, 1);
        be.kernels.packedConvGemm(wp, g.OC, K, l.x.ptr(), HW, HW, y.ptr(), HW, e.scale, e.shift, e.residual, 1, scratch, 0, 1);
        const want = y.toFloat32Array();
        for (const n of [1, 2, 3, 5]) {
          y.view().fill(NaN);
          for (let tid = 0; tid < n; tid++) be.kernels.packConvWeightColumns(l.w.ptr(), g.OC, K, wt, tid, n);
          for (let tid = 0; tid < n; tid++) {
            be.kernels.packedConvGemmTransposed(wt, g.OC, K, l.x.ptr(), HW, HW, y.ptr(), HW, e.scale, e.shift, e.residual, 1, scratch, tid, n);
          }
          expect(bitsEqual(y.toFloat32Array(), want), `case ${i}, ${n} threads`).toBe(true);
        }
        y.dispose();
      });
      for (const t of [l.x, l.w, l.scale, l.shift, l.res]) t.dispose();
    }
  });

  it('runs a ResNet-50 bottleneck in the executor without a separate epilogue pass, with the eager bits', () => {
    const block = new sn.nn.Bottleneck(32, 8, 2);
    block.eval();
    let s = 50;
    for (const bn of block.modules()) {
      if (!(bn instanceof sn.nn.BatchNorm2d)) continue;
      bn.runningMean.view().set(sn.randn([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v * 0.3));
      bn.runningVar.view().set(sn.rand([bn.numFeatures], { seed: s++ }).toFloat32Array().map((v) => v + 0.5));
    }
    const x = sn.keep(sn.randn([1, 32, 14, 14], { seed: 3 }));
    for (const fold of [false, true]) {
      if (fold) sn.nn.foldBatchNorm(block, [1, 32, 14, 14]);
      sn.tidy(() => { sn.noGrad(() => block.forward(x)); }); // traces
      expect(graphPlanOf(block, [[1, 32, 14, 14]])!.steps.every((st) => st.kind === 'conv')).toBe(true);
      const separatePass = vi.spyOn(kernels, 'affinePlanesInPlace');
      const graph = sn.tidy(() => sn.noGrad(() => block.forward(x) as Tensor).toFloat32Array());
      const eager = sn.tidy(() => (block.forward(x) as Tensor).toFloat32Array());
      // the 3x3 conv (F(2x2) or F(4x4) by the cost model) may keep its pass; the 1x1 ones must not
      expect(separatePass.mock.calls.length).toBeLessThanOrEqual(1);
      separatePass.mockRestore();
      expect(bitsEqual(graph, eager), `folded: ${fold}`).toBe(true);
    }
    x.dispose();
  });
});
