import { requireFloat } from './args.js';
import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { empty } from './basic.js';
import { gemm } from './gemm.js';

/** [M,K]·[K,N] -> [M,N] (2-D only), differentiable. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  check(a instanceof Tensor, op, `a must be a Tensor, got ${describe(a)}`);
  check(b instanceof Tensor, op, `b must be a Tensor, got ${describe(b)}`);
  requireFloat(a, op, 'a');
  requireFloat(b, op, 'b');
  check(a.shape.length === 2, op, () => `a must be 2-D [M,K], got ${fmtShape(a.shape)}`);
  check(b.shape.length === 2, op, () => `b must be 2-D [K,N], got ${fmtShape(b.shape)}`);
  const [M, K] = a.shape;
  const [K2, N] = b.shape;
  check(K === K2, op, () => `inner dimensions differ: a ${fmtShape(a.shape)} vs b ${fmtShape(b.shape)}`);
  const out = empty([M, N], op);
  gemm({ M, N, K, a: a.ptr(op), lda: K, b: b.ptr(op), ldb: N, c: out.ptr(), ldc: N });
  return record(op, out, [a, b], (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      ga = empty([M, K], op); // dA = g·Bᵀ
      gemm({ transB: true, M, N: K, K: N, a: g.ptr(op), lda: N, b: b.ptr(op), ldb: N, c: ga.ptr(), ldc: K });
    }
    if (b.requiresGrad) {
      gb = empty([K, N], op); // dB = Aᵀ·g
      gemm({ transA: true, M: K, N, K: M, a: a.ptr(op), lda: K, b: g.ptr(op), ldb: N, c: gb.ptr(), ldc: N });
    }
    return [ga, gb];
  });
}

export function describe(v: unknown): string {
  if (v instanceof Tensor) return `Tensor${fmtShape(v.shape)}`;
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v;
}
