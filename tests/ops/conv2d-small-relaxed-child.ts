// Run by conv2d-small-relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (see relaxed-runner.ts for why): with the relaxed build, the direct
// small-conv path against the im2col path for forward and both gradients;
// prints whether each pair has the same bits, as JSON on stdout.
import * as sn from '../../src/index.js';
import { convBackwardData, convBackwardFilter, convForward } from '../../src/ops/conv2d/run.js';
import { backwardData as smallBackwardData, backwardFilter as smallBackwardFilter, forward as smallForward } from '../../src/ops/conv2d/small.js';
import { convGeometry } from '../../src/ops/conv2d/geometry.js';
import { bitsEqual, randomArray } from '../helpers.js';

const SHAPES: [number[], number[]][] = [[[3, 1, 32, 32], [6, 1, 5, 5]], [[5, 6, 14, 14], [16, 6, 5, 5]], [[2, 3, 9, 11], [5, 3, 5, 3]]];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

await sn.init({ threads: 1, simd: 'relaxed' });
const results = SHAPES.map(([xs, ws]) => {
  const g = convGeometry('t', sn.zeros(xs), sn.zeros(ws), null, {});
  const ys = [g.N, g.OC, g.OH, g.OW];
  const x = sn.tensor(randomArray(size(xs), 1), xs), w = sn.tensor(randomArray(size(ws), 2), ws);
  const b = sn.tensor(randomArray(g.OC, 3), [g.OC]), gy = sn.tensor(randomArray(size(ys), 4), ys);
  const pair = (shape: number[], small: (out: number) => void, im2col: (out: number) => void) => {
    const p = sn.zeros(shape), q = sn.zeros(shape);
    small(p.ptr());
    im2col(q.ptr());
    return bitsEqual(p.toFloat32Array(), q.toFloat32Array());
  };
  return {
    shape: `${xs} ${ws}`,
    forward: pair(ys, (o) => smallForward(g, x.ptr(), w.ptr(), b.ptr(), o), (o) => convForward(g, x.ptr(), w.ptr(), b.ptr(), o, 'im2col')),
    data: pair(xs, (o) => smallBackwardData(g, gy.ptr(), w.ptr(), o), (o) => convBackwardData(g, gy.ptr(), w.ptr(), o, 'im2col')),
    filter: pair(ws, (o) => smallBackwardFilter(g, x.ptr(), gy.ptr(), o), (o) => convBackwardFilter(g, x.ptr(), gy.ptr(), o, 'im2col')),
  };
});
const simd = sn.backendInfo().simd;
sn.shutdown();
process.stdout.write(JSON.stringify({ simd, results }) + '\n');
