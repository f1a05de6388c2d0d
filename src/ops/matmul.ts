import { requireFloat } from './args.js';
import { record } from '../autograd.js';
import { traceOp } from '../trace.js';
import { check, fmtShape } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { empty, reshape, zeros } from './basic.js';
import { tryBroadcastShapes as broadcastShapes, broadcastStrides } from './broadcast.js';
import { gemm } from './gemm.js';

/**
 * torch.matmul: 1-D·1-D is a dot product (0-d), a 1-D operand is promoted to
 * a matrix (a row on the left, a column on the right) and that dim dropped
 * from the result, and N-D operands are stacks of matrices whose batch dims
 * broadcast. Runs on the GEMM, one call per batch entry (one call in all when
 * b is a plain matrix); differentiable, broadcast gradients summed back.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  check(a instanceof Tensor, op, `a must be a Tensor, got ${describe(a)}`);
  check(b instanceof Tensor, op, `b must be a Tensor, got ${describe(b)}`);
  a.ptr(op);
  b.ptr(op);
  check(a.shape.length >= 1 && b.shape.length >= 1, op, () => `both operands must have at least one dim, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  requireFloat(a, op, 'a');
  requireFloat(b, op, 'b');
  const ka = a.shape[a.shape.length - 1];
  const kb = b.shape.length === 1 ? b.shape[0] : b.shape[b.shape.length - 2];
  check(ka === kb, op, () => `inner dimensions differ: a ${fmtShape(a.shape)} vs b ${fmtShape(b.shape)}`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  check(batch !== null, op, () => `batch dims of a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)} do not broadcast`);
  const a2 = a.shape.length === 1 ? reshape(a, [1, ka]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [kb, 1]) : b;
  const y = batchedMatmul(op, a2, b2, batch);
  if (a.shape.length > 1 && b.shape.length > 1) return y;
  const s = y.shape.slice();
  if (b.shape.length === 1) s.splice(s.length - 1, 1);
  if (a.shape.length === 1) s.splice(s.length - (b.shape.length === 1 ? 1 : 2), 1);
  return reshape(y, s);
}

/** For each batch entry (row-major over `to`), the index of the matrix of a stack of batch shape `from` it reads. */
function batchMatrix(from: readonly number[], to: readonly number[]): Int32Array {
  const st = broadcastStrides(from, to);
  const out = new Int32Array(shapeSize(to));
  for (let p = 0; p < out.length; p++) {
    let rem = p;
    let off = 0;
    for (let k = to.length - 1; k >= 0; k--) {
      off += (rem % to[k]) * st[k];
      rem = Math.floor(rem / to[k]);
    }
    out[p] = off;
  }
  return out;
}

/** a [..., M, K] · b [..., K, N] with `batch` the broadcast of their batch dims (checked by the caller). */
function batchedMatmul(op: string, a: Tensor, b: Tensor, batch: number[]): Tensor {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.shape.length - 1];
  const out = empty([...batch, M, N], op);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  // b a plain matrix: the batch folds into M, one GEMM for all.
  const fold = bBatch.length === 0;
  const mm = fold ? M * shapeSize(batch) : M;
  const count = fold ? 1 : shapeSize(batch);
  const ai = fold ? Int32Array.of(0) : batchMatrix(aBatch, batch);
  const bi = fold ? Int32Array.of(0) : batchMatrix(bBatch, batch);
  const sa = mm * K;
  const sb = K * N;
  const so = mm * N;
  const work = mm > 0 && N > 0;
  if (work && K === 0) out.view(op).fill(0);
  else if (work) {
    for (let p = 0; p < count; p++) {
      gemm({ M: mm, N, K, a: a.ptr(op) + 4 * ai[p] * sa, lda: K, b: b.ptr(op) + 4 * bi[p] * sb, ldb: N, c: out.ptr() + 4 * p * so, ldc: N });
    }
  }
  traceOp(op, [a, b], out);
  return record(op, out, [a, b], (g) => {
    // Broadcast operands get the sum over the batch entries that read them, in batch order.
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    const any = mm > 0 && N > 0 && K > 0;
    if (a.requiresGrad) {
      ga = zeros(a.shape.slice()); // dA = g·Bᵀ
      for (let p = 0; any && p < count; p++) {
        gemm({ transB: true, accumulate: true, M: mm, N: K, K: N, a: g.ptr(op) + 4 * p * so, lda: N, b: b.ptr(op) + 4 * bi[p] * sb, ldb: N, c: ga.ptr() + 4 * ai[p] * sa, ldc: K });
      }
    }
    if (b.requiresGrad) {
      gb = zeros(b.shape.slice()); // dB = Aᵀ·g
      for (let p = 0; any && p < count; p++) {
        gemm({ transA: true, accumulate: true, M: K, N, K: mm, a: a.ptr(op) + 4 * ai[p] * sa, lda: K, b: g.ptr(op) + 4 * p * so, ldb: N, c: gb.ptr() + 4 * bi[p] * sb, ldc: N });
      }
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
