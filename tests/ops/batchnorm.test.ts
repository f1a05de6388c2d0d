import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { gradcheck } from '../gradcheck.js';
import { maxRelErr, randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());
const F = sn.F;

/** float64 training-mode reference: y, batch mean and biased variance per channel. */
function reference(x: Float32Array, shape: number[], w: Float32Array, b: Float32Array, eps: number) {
  const [N, C] = shape;
  const S = x.length / (N * C);
  const y = new Float64Array(x.length);
  const mean: number[] = [];
  const varB: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) s += x[(n * C + c) * S + j];
    const m = s / (N * S);
    let v = 0;
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) v += (x[(n * C + c) * S + j] - m) ** 2;
    v /= N * S;
    mean.push(m);
    varB.push(v);
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) {
      const i = (n * C + c) * S + j;
      y[i] = ((x[i] - m) / Math.sqrt(v + eps)) * w[c] + b[c];
    }
  }
  return { y, mean, varB };
}

describe('F.batchNorm', () => {
  for (const shape of [[4, 3, 5, 3], [7, 5], [2, 2, 9]]) {
    it(`training on ${JSON.stringify(shape)}: output and running statistics`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const C = shape[1];
      const xd = randomArray(n, 1).map((v) => v * 3 + 1);
      const wd = randomArray(C, 2);
      const bd = randomArray(C, 3);
      const rm = sn.tensor(randomArray(C, 4), [C]);
      const rv = sn.full([C], 2);
      const rm0 = rm.toFloat32Array();
      const y = F.batchNorm(sn.tensor(xd, shape), rm, rv, sn.tensor(wd, [C]), sn.tensor(bd, [C]), { training: true, momentum: 0.2, eps: 1e-3 });
      const ref = reference(xd, shape, wd, bd, 1e-3);
      expect(maxRelErr(y.toFloat32Array(), ref.y, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      const M = n / C;
      const wantMean = ref.mean.map((m, c) => 0.8 * rm0[c] + 0.2 * m);
      const wantVar = ref.varB.map((v) => 0.8 * 2 + 0.2 * v * M / (M - 1));
      expect(maxRelErr(rm.toFloat32Array(), wantMean, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      expect(maxRelErr(rv.toFloat32Array(), wantVar, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    });
  }

  it('evaluation uses the running statistics and leaves them alone', () => {
    const x = sn.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const rm = sn.tensor([1, -1], [2]);
    const rv = sn.tensor([4, 0.25], [2]);
    const y = F.batchNorm(x, rm, rv, sn.tensor([2, 1], [2]), sn.tensor([0, 10], [2]), { eps: 0 });
    expect(Array.from(y.toFloat32Array())).toEqual([0, 1, 18, 20, 4, 5, 26, 28]);
    expect(Array.from(rm.toFloat32Array())).toEqual([1, -1]);
    expect(Array.from(rv.toFloat32Array())).toEqual([4, 0.25]);
  });

  it('training without running statistics or affine parameters', () => {
    const y = F.batchNorm(sn.tensor([1, 3, 5, 7], [4, 1]), null, null, null, null, { training: true, eps: 0 });
    const s = Math.sqrt(5);
    expect(maxRelErr(y.toFloat32Array(), [-3 / s, -1 / s, 1 / s, 3 / s], 1e-7, 1e-6)).toBeLessThanOrEqual(1);
  });

  const gradShapes = [[3, 2, 2, 3], [5, 3]];
  for (const shape of gradShapes) {
    for (const training of [true, false]) {
      it(`gradients for x, weight, bias (${training ? 'training' : 'eval'}, ${JSON.stringify(shape)}) match finite differences`, () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const C = shape[1];
        const rvData = randomArray(C, 6).map((v) => v * v + 0.5);
        const r = gradcheck(
          (x, w, b) => F.batchNorm(x, sn.tensor(randomArray(C, 5), [C]), sn.tensor(rvData, [C]), w, b, { training }),
          [
            { data: randomArray(n, 7).map((v) => v * 2), shape },
            { data: randomArray(C, 8), shape: [C] },
            { data: randomArray(C, 9), shape: [C] },
          ],
          { eps: 1e-3 },
        );
        expect(r.worst, r.where).toBeLessThanOrEqual(1);
      });
    }
  }

  it('gradient for x alone without weight/bias (training)', () => {
    const r = gradcheck((x) => F.batchNorm(x, null, null, null, null, { training: true }),
      [{ data: randomArray(24, 3), shape: [4, 2, 3] }], { eps: 1e-3 });
    expect(r.worst, r.where).toBeLessThanOrEqual(1);
  });

  it('rejects bad input and changes nothing when it does', () => {
    const x = sn.randn([2, 3, 2, 2], { seed: 1 });
    const rm = sn.tensor([0.5, 0.5, 0.5], [3]);
    const rv = sn.tensor([2, 2, 2], [3]);
    const w = sn.ones([3]);
    const snapshot = () => [...rm.toFloat32Array(), ...rv.toFloat32Array()];
    const before = snapshot();
    const t = { training: true };
    expect(() => F.batchNorm(x, rm, rv, sn.ones([4]), null, t)).toThrow(/batchNorm: weight must be \[3\] for input \[2,3,2,2\], got \[4\]/);
    expect(() => F.batchNorm(x, rm, rv, w, sn.ones([2]), t)).toThrow(/batchNorm: bias must be \[3\]/);
    expect(() => F.batchNorm(x, rm, sn.ones([2]), w, null, t)).toThrow(/batchNorm: runningVar must be \[3\]/);
    expect(() => F.batchNorm(x, rm, rv, w, null, { training: true, momentum: NaN })).toThrow(/batchNorm: momentum must be a finite number/);
    expect(() => F.batchNorm(x, rm, rv, w, null, { training: true, eps: -1 })).toThrow(/batchNorm: eps must be in/);
    expect(() => F.batchNorm(x, rm, rv, w, null, { train: true } as never)).toThrow(/batchNorm: unknown option 'train'/);
    expect(() => F.batchNorm(sn.ones([1, 3]), rm, rv, w, null, t)).toThrow(/batchNorm: expected more than 1 value per channel when training, got input \[1,3\]/);
    expect(() => F.batchNorm(sn.ones([3]), rm, rv, w, null, t)).toThrow(/batchNorm: input must be \[N,C,...\]/);
    expect(() => F.batchNorm(x, null, null, w, null)).toThrow(/batchNorm: runningMean and runningVar are required in evaluation/);
    expect(() => F.batchNorm(x, rm, null, w, null, t)).toThrow(/both be given or both be null/);
    const dead = sn.ones([3]);
    dead.dispose();
    expect(() => F.batchNorm(x, rm, rv, dead, null, t)).toThrow(/batchNorm: .*disposed/);
    expect(snapshot()).toEqual(before);
  });
});
