import { describe, expect, it } from 'vitest';
import * as data from '../../src/data/index.js';
import { Rng } from '../../src/random.js';

/** Row-major 3x3 product a·b. */
function mul(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const o = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return o;
}
const transpose = (a: ArrayLike<number>) => [0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => a[i]);
/** A rotation (orthonormal columns) from three angles. */
function rotation(a: number, b: number, c: number): number[] {
  const rx = [1, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a)];
  const ry = [Math.cos(b), 0, Math.sin(b), 0, 1, 0, -Math.sin(b), 0, Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  return mul(mul(rz, ry), rx);
}

describe('symmetricEigen3 (Jacobi)', () => {
  it('recovers the eigenpairs of Q·diag(λ)·Qᵀ', () => {
    const q = rotation(0.3, -1.1, 2.0);
    const lambda = [5, 2, 0.25];
    const m = mul(mul(q, [lambda[0], 0, 0, 0, lambda[1], 0, 0, 0, lambda[2]]), transpose(q));
    const { values, vectors } = data.symmetricEigen3(m);
    for (let i = 0; i < 3; i++) expect(values[i]).toBeCloseTo(lambda[i], 12);
    for (let i = 0; i < 3; i++) {
      // Same column up to sign.
      const dot = q[i] * vectors[i] + q[3 + i] * vectors[3 + i] + q[6 + i] * vectors[6 + i];
      expect(Math.abs(dot)).toBeCloseTo(1, 12);
    }
    // V·diag·Vᵀ rebuilds the matrix; Vᵀ·V = I.
    const rebuilt = mul(mul(vectors, [values[0], 0, 0, 0, values[1], 0, 0, 0, values[2]]), transpose(vectors));
    rebuilt.forEach((v, i) => expect(v).toBeCloseTo(m[i], 12));
    mul(transpose(vectors), vectors).forEach((v, i) => expect(v).toBeCloseTo(i % 4 === 0 ? 1 : 0, 12));
  });

  it('handles a diagonal matrix, repeated eigenvalues and a textbook example', () => {
    const d = data.symmetricEigen3([1, 0, 0, 0, 3, 0, 0, 0, 2]);
    expect(Array.from(d.values)).toEqual([3, 2, 1]);
    expect(Array.from(d.vectors)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    // [[2,1,0],[1,2,0],[0,0,2]]: eigenvalues 3, 2, 1.
    const e = data.symmetricEigen3([2, 1, 0, 1, 2, 0, 0, 0, 2]);
    [3, 2, 1].forEach((v, i) => expect(e.values[i]).toBeCloseTo(v, 14));
    expect(Math.abs(e.vectors[0])).toBeCloseTo(Math.SQRT1_2, 14);
    const s = data.symmetricEigen3([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    [3, 0, 0].forEach((v, i) => expect(s.values[i]).toBeCloseTo(v, 14));
    expect(() => data.symmetricEigen3([1, 2, 0, 0, 1, 0, 0, 0, 1])).toThrow(/not symmetric/);
  });
});

describe('PcaColorAugment', () => {
  it('fit computes the RGB covariance over all pixels (numpy.cov) and its eigenpairs', () => {
    const rng = new Rng(3);
    const images: data.Image[] = [];
    const rows: number[][] = [];
    for (let n = 0; n < 4; n++) {
      const img = data.image(3, 5, 6);
      for (let i = 0; i < 30; i++) {
        const t = rng.normal(), u = rng.normal();
        const rgb = [0.5 + 0.2 * t, 0.4 + 0.15 * t + 0.05 * u, 0.3 - 0.1 * u];
        rgb.forEach((v, c) => (img.data[c * 30 + i] = v));
        rows.push(rgb.map((v) => Math.fround(v)));
      }
      images.push(img);
    }
    const pca = data.PcaColorAugment.fit(images);
    const mean = [0, 1, 2].map((c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
    for (let i = 0; i < 3; i++) {
      expect(pca.mean[i]).toBeCloseTo(mean[i], 12);
      for (let j = 0; j < 3; j++) {
        const cov = rows.reduce((s, r) => s + (r[i] - mean[i]) * (r[j] - mean[j]), 0) / (rows.length - 1);
        expect(pca.covariance[i * 3 + j]).toBeCloseTo(cov, 12);
      }
    }
    const { values } = data.symmetricEigen3(pca.covariance);
    expect(Array.from(pca.eigenvalues)).toEqual(Array.from(values));
    // A dataset works too and gives the same fit.
    const ds = new data.ImageArrayDataset({ pixels: Float32Array.from(images.flatMap((im) => Array.from(im.data))), labels: [0, 0, 0, 0], channels: 3, height: 5, width: 6 });
    expect(Array.from(data.PcaColorAugment.fit(ds).covariance)).toEqual(Array.from(pca.covariance));
  });

  it('apply adds one per-image shift P·(α∘λ) to every pixel, seeded', () => {
    const q = rotation(0.7, 0.2, -0.4);
    const lambda = [0.09, 0.01, 0.0025];
    const cov = mul(mul(q, [lambda[0], 0, 0, 0, lambda[1], 0, 0, 0, lambda[2]]), transpose(q));
    const pca = new data.PcaColorAugment(cov);
    const img = data.image(3, 2, 2, Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    const out = pca.apply(img, { seed: 42 });
    const r = new Rng(42);
    const alpha = [r.normal() * 0.1, r.normal() * 0.1, r.normal() * 0.1];
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let i = 0; i < 3; i++) s += pca.eigenvectors[c * 3 + i] * alpha[i] * pca.eigenvalues[i];
      for (let k = 0; k < 4; k++) expect(out.data[c * 4 + k]).toBeCloseTo(img.data[c * 4 + k] + s, 6);
    }
    expect(pca.apply(img, { seed: 42 }).data).toEqual(out.data);
    expect(pca.apply(img, { seed: 43 }).data).not.toEqual(out.data);
    expect(() => pca.apply(data.image(1, 2, 2))).toThrow(/PcaColorAugment.apply: img has 1 channels/);
  });

  it('the shifts have covariance P·diag(λ²σ²)·Pᵀ over many draws', () => {
    const q = rotation(-0.5, 0.9, 1.3);
    const lambda = [3, 1.5, 0.5];
    const cov = mul(mul(q, [lambda[0], 0, 0, 0, lambda[1], 0, 0, 0, lambda[2]]), transpose(q));
    const pca = new data.PcaColorAugment(cov);
    const std = 0.1, n = 40000;
    const rng = new Rng(1);
    const sum = [0, 0, 0], prod = new Array<number>(9).fill(0);
    for (let k = 0; k < n; k++) {
      const s = pca.sampleShift({ rng, std });
      for (let i = 0; i < 3; i++) {
        sum[i] += s[i];
        for (let j = 0; j < 3; j++) prod[i * 3 + j] += s[i] * s[j];
      }
    }
    const expected = mul(mul(q, lambda.map((l, i) => [0, 0, 0].map((_, j) => (i === j ? l * l * std * std : 0))).flat()), transpose(q));
    for (let i = 0; i < 3; i++) expect(Math.abs(sum[i] / n)).toBeLessThan(0.01); // mean 0 (σ of the mean ≈ 0.0015)
    for (let i = 0; i < 9; i++) expect(Math.abs(prod[i] / n - expected[i])).toBeLessThan(0.03 * expected[0]);
  });
});
