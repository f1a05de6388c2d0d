// loadOnnx's module runs through the core's graph executor under noGrad, with
// the same passes as the zoo's modules; the bits equal the eager run's.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { graphFallbackReason, graphPlanOf } from '../../src/graph/module-graph.js';
import { loadOnnx } from '../../src/onnx/index.js';
import type { Tensor } from '../../src/tensor.js';
import { bitsEqual } from '../helpers.js';

const onnxFile = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/onnx/${name}.onnx`, import.meta.url)));

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('loadOnnx modules under noGrad', () => {
  // Graphs with an op the core does not trace (e.g. the classifier's) run eagerly on the module's own
  // loop; ReLU6 as Clip is traced (hardtanh), so inverted_residual runs as a graph.
  for (const [name, graphed] of [['basic_block', true], ['fire', true], ['inception', true], ['classifier', false], ['inverted_residual', true]] as const) {
    it(`${name}: the graph run gives the eager bits (${graphed ? 'runs as a graph' : 'eager, with the reason recorded'})`, () => {
      const m = loadOnnx(onnxFile(`${name}-op13`));
      m.eval();
      const dims = (m as unknown as { inputDims: (number | null)[][] }).inputDims[0].map((d) => d ?? 1);
      const x = sn.keep(sn.randn(dims, { seed: 1 }));
      const first = sn.tidy(() => sn.noGrad(() => m.forward(x) as Tensor).toFloat32Array()); // traces
      const second = sn.tidy(() => sn.noGrad(() => m.forward(x) as Tensor).toFloat32Array()); // the plan
      const eager = sn.tidy(() => (m.forward(x) as Tensor).toFloat32Array());
      expect(bitsEqual(first, eager)).toBe(true);
      expect(bitsEqual(second, eager)).toBe(true);
      const plan = graphPlanOf(m, [dims]);
      if (graphed) expect(plan!.steps.some((s) => s.kind === 'conv' || (s.kind === 'op' && s.node.op === 'hardtanh'))).toBe(true); // fused conv steps, or a traced Clip
      else expect(graphFallbackReason(m, [dims])).toMatch(/no traced op made/);
      x.dispose();
    });
  }
});
