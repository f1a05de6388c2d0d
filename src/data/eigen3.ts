import { check } from '../errors.js';

/**
 * Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations
 * (float64). Returns eigenvalues in descending order and the matching unit
 * eigenvectors as the COLUMNS of `vectors` (row-major 3x3), each signed so its
 * largest-magnitude component is positive (a deterministic choice of sign).
 */
export function symmetricEigen3(m: ArrayLike<number>): { values: Float64Array; vectors: Float64Array } {
  check(m.length === 9, 'symmetricEigen3', `expects a 3x3 matrix as 9 values, got ${m.length}`);
  const a = Float64Array.from(m);
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const x = a[i * 3 + j], y = a[j * 3 + i];
      check(Number.isFinite(x) && Math.abs(x - y) <= 1e-9 * (1 + Math.abs(x) + Math.abs(y)), 'symmetricEigen3', `matrix is not symmetric (or not finite) at [${i},${j}]: ${x} vs ${y}`);
    }
  }
  const v = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
    if (off === 0) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      const apq = a[p * 3 + q];
      if (apq === 0) continue;
      // The rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
      const theta = (a[q * 3 + q] - a[p * 3 + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      // A <- Jᵀ A J, V <- V J with J the rotation in the (p, q) plane.
      for (let k = 0; k < 3; k++) {
        const akp = a[k * 3 + p], akq = a[k * 3 + q];
        a[k * 3 + p] = c * akp - s * akq;
        a[k * 3 + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p * 3 + k], aqk = a[q * 3 + k];
        a[p * 3 + k] = c * apk - s * aqk;
        a[q * 3 + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k * 3 + p], vkq = v[k * 3 + q];
        v[k * 3 + p] = c * vkp - s * vkq;
        v[k * 3 + q] = s * vkp + c * vkq;
      }
    }
    const scale = Math.abs(a[0]) + Math.abs(a[4]) + Math.abs(a[8]);
    if (a[1] * a[1] + a[2] * a[2] + a[5] * a[5] <= 1e-30 * scale * scale) break;
  }
  const order = [0, 1, 2].sort((i, j) => a[j * 4] - a[i * 4]);
  const values = new Float64Array(3), vectors = new Float64Array(9);
  order.forEach((src, dst) => {
    values[dst] = a[src * 4];
    let big = 0;
    for (let k = 0; k < 3; k++) if (Math.abs(v[k * 3 + src]) > Math.abs(big)) big = v[k * 3 + src];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < 3; k++) vectors[k * 3 + dst] = sign * v[k * 3 + src];
  });
  return { values, vectors };
}
