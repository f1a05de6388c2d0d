// Shape and indexing ops, N-D matmul and einsum: finite-difference gradients,
// 0-d and empty tensors, large copies, and bad input (SimdnnError naming the
// op, argument and shapes, with nothing allocated).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/tensor.js';
import { gradcheck } from '../gradcheck.js';
import { randomArray } from '../helpers.js';
import { boolTensor, intTensor } from './shape-helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const inp = (shape: number[], seed: number) => ({ data: randomArray(shape.reduce((a, b) => a * b, 1), seed), shape });
function fd(f: (...xs: Tensor[]) => Tensor, ...shapes: number[][]): void {
  const r = gradcheck(f, shapes.map((s, i) => inp(s, i + 1)));
  expect(r.worst, r.where).toBeLessThanOrEqual(1);
}

describe('finite differences', () => {
  it('permute, transpose, expand, slice, select, narrow', () => {
    fd((x) => sn.permute(x, [2, 0, 1]), [2, 3, 4]);
    fd((x) => sn.transpose(x, -1, 0), [2, 3, 4]);
    fd((x) => sn.expand(x, [2, 3, 4]), [3, 1]);
    fd((x) => sn.slice(x, 1, 0, 4, 3), [2, 5, 2]);
    fd((x) => sn.select(x, -2, 1), [2, 3, 2]);
    fd((x) => sn.narrow(x, 0, 1, 2), [4, 3]);
  });
  it('indexSelect, gather, scatterAdd with repeated indices', () => {
    fd((x) => sn.indexSelect(x, 1, [2, 0, 2, 2]), [2, 3, 2]);
    fd((x) => sn.gather(x, 0, intTensor([1, 1, 0, 1, 1, 1], [2, 3])), [2, 3]);
    fd((x, s) => sn.scatterAdd(x, 1, intTensor([0, 0, 2, 1, 1, 1], [2, 3]), s), [2, 3], [2, 3]);
  });
  it('maskedFill, cat, stack, split, chunk', () => {
    fd((x) => sn.maskedFill(x, boolTensor([1, 0, 0], [3]), 7), [2, 3]);
    fd((a, b) => sn.cat([a, b], -2), [2, 3], [1, 3]);
    fd((a, b) => sn.stack([a, b], 1), [2, 3], [2, 3]);
    fd((x) => sn.cat(sn.split(x, [1, 2], 1).reverse(), 1), [2, 3]);
    fd((x) => sn.cat(sn.chunk(x, 2, 0).reverse(), 0), [5, 2]);
  });
  it('pad in all three modes', () => {
    fd((x) => sn.F.pad(x, [1, 2, 2, 0], { mode: 'reflect' }), [1, 2, 3, 4]);
    fd((x) => sn.F.pad(x, [3, 1, 1, 2], { mode: 'replicate' }), [1, 2, 3, 2]);
    fd((x) => sn.F.pad(x, [1, -1], { value: 3 }), [2, 3]);
  });
  it('matmul with broadcast batches and 1-D operands, einsum', () => {
    fd((a, b) => sn.matmul(a, b), [2, 1, 3, 4], [3, 4, 2]);
    fd((a, b) => sn.matmul(a, b), [4], [2, 4, 3]);
    fd((a, b) => sn.matmul(a, b), [2, 3, 4], [4]);
    fd((a, b) => sn.einsum('bhqd,bhkd->bhqk', a, b), [1, 2, 3, 2], [1, 2, 2, 2]);
    fd((a, b) => sn.einsum('ij,jk->ki', a, b), [2, 3], [3, 2]);
    fd((a) => sn.einsum('ijk->ki', a), [2, 3, 2]);
  });
});

describe('dtype-agnostic data movement', () => {
  it('moves int32 and bool tensors keeping their dtype', () => {
    const labels = intTensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const t = sn.transpose(labels, 0, 1);
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.toInt32Array())).toEqual([1, 4, 2, 5, 3, 6]);
    const m = boolTensor([1, 0, 0, 1], [2, 2]);
    const c = sn.cat([m, sn.permute(m, [1, 0])], 0);
    expect(c.dtype).toBe('bool');
    expect(Array.from(c.toInt32Array())).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    expect(Array.from(sn.gather(labels, 1, intTensor([2, 0], [2, 1])).toInt32Array())).toEqual([3, 4]);
    expect(Array.from(sn.scatterAdd(labels, 0, intTensor([1, 1, 1], [1, 3]), intTensor([10, 20, 30], [1, 3])).toInt32Array())).toEqual([1, 2, 3, 14, 25, 36]);
    expect(Array.from(sn.F.pad(m, [1, 0], { mode: 'replicate' }).toInt32Array())).toEqual([1, 1, 0, 0, 0, 1]);
  });
});

describe('copies', () => {
  it('permutes a large NCHW tensor to NHWC exactly', () => {
    const [N, C, H, W] = [2, 48, 67, 65];
    const x = sn.tensor(randomArray(N * C * H * W, 3), [N, C, H, W]);
    const y = sn.permute(x, [0, 2, 3, 1]);
    const xv = x.toFloat32Array();
    const yv = y.toFloat32Array();
    let bad = 0;
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
      if (yv[((n * H + h) * W + w) * C + c] !== xv[((n * C + c) * H + h) * W + w]) bad++;
    }
    expect(bad).toBe(0);
    expect(Array.from(sn.permute(y, [0, 3, 1, 2]).toFloat32Array())).toEqual(Array.from(xv));
  });
  it('transposePlanes writes every word once for any split over 1..5 threads', () => {
    const [planes, rows, cols] = [3, 37, 21]; // tails in both directions
    const x = sn.tensor(randomArray(planes * rows * cols, 8), [planes, rows, cols]);
    const y = sn.zeros([planes, cols, rows]);
    const want = sn.noGrad(() => sn.permute(x, [0, 2, 1])).toFloat32Array();
    const fn = backend().kernels.transposePlanes;
    for (const nt of [1, 2, 3, 5]) {
      y.view().fill(NaN);
      for (let tid = 0; tid < nt; tid++) fn(x.ptr(), y.ptr(), planes, rows, cols, cols, rows, rows * cols, rows * cols, tid, nt);
      expect(Array.from(y.toFloat32Array()), `${nt} threads`).toEqual(Array.from(want));
    }
    let ref = 0;
    const xv = x.toFloat32Array();
    for (let p = 0; p < planes; p++) for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) {
      if (want[(p * cols + j) * rows + i] !== xv[(p * rows + i) * cols + j]) ref++;
    }
    expect(ref).toBe(0);
  });
  it('pads long rows (block-copied middles) as the element-wise rule says', () => {
    const [R, W] = [3, 40];
    const xv = randomArray(R * W, 12);
    const x = sn.tensor(xv, [R, W]);
    const at = (mode: string, j: number) => {
      const i = j - 3;
      if (mode === 'reflect') return i < 0 ? -i : i >= W ? 2 * (W - 1) - i : i;
      if (mode === 'replicate') return Math.min(W - 1, Math.max(0, i));
      return i < 0 || i >= W ? -1 : i;
    };
    for (const mode of ['constant', 'reflect', 'replicate'] as const) {
      const y = sn.F.pad(x, [3, 5], { mode, ...(mode === 'constant' ? { value: 9 } : {}) }).toFloat32Array();
      const want = new Float32Array(R * (W + 8));
      for (let r = 0; r < R; r++) for (let j = 0; j < W + 8; j++) {
        const k = at(mode, j);
        want[r * (W + 8) + j] = k < 0 ? 9 : xv[r * W + k];
      }
      expect(Array.from(y), mode).toEqual(Array.from(want));
    }
    const idx = [...Array.from({ length: 20 }, (_, i) => i + 10), 0, 0, 39];
    const sel = sn.indexSelect(x, 1, idx).toFloat32Array();
    for (let r = 0; r < R; r++) idx.forEach((k, j) => expect(sel[r * idx.length + j]).toBe(xv[r * W + k]));
  });
  it('keeps NaN payloads and -0 bit for bit', () => {
    const bits = new Int32Array([0x7fc00001, 0x80000000, 0xff800000 | 0, 5]);
    const x = sn.tensor(new Float32Array(bits.buffer), [2, 2]);
    const y = sn.transpose(x, 0, 1);
    expect(Array.from(new Int32Array(y.toFloat32Array().buffer))).toEqual([bits[0], bits[2], bits[1], bits[3]]);
    // 8×8: through the SIMD kernel's 4×4 register blocks too.
    const big = new Int32Array(64).map((_, i) => [0x7fc00001, 0x80000000, 0x7f800001, 0xffc0dead | 0][i % 4] + (i % 4 === 1 ? 0 : i));
    const z = sn.transpose(sn.tensor(new Float32Array(big.buffer), [8, 8]), 0, 1);
    const zb = new Int32Array(z.toFloat32Array().buffer);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(zb[j * 8 + i]).toBe(big[i * 8 + j]);
  });
  it('0-d and empty tensors', () => {
    const s = sn.tensor([3], []);
    expect(sn.permute(s, []).shape).toEqual([]);
    expect(sn.unsqueeze(s, 0).shape).toEqual([1]);
    expect(sn.expand(s, [2, 2]).toFloat32Array()).toEqual(new Float32Array([3, 3, 3, 3]));
    expect(sn.stack([s, s]).shape).toEqual([2]);
    expect(sn.matmul(sn.zeros([0]), sn.zeros([0])).item()).toBe(0);
    const e = sn.zeros([2, 0, 3]);
    expect(sn.transpose(e, 0, 2).shape).toEqual([3, 0, 2]);
    expect(sn.cat([e, e], 1).shape).toEqual([2, 0, 3]);
    expect(sn.split(sn.zeros([0, 2]), 2).map((t) => t.shape)).toEqual([[0, 2]]);
    expect(sn.chunk(sn.zeros([0, 2]), 3).map((t) => t.shape)).toEqual([[0, 2], [0, 2], [0, 2]]);
    expect(sn.chunk(sn.zeros([5, 2]), 3).map((t) => t.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(sn.matmul(sn.zeros([2, 3, 0]), sn.zeros([0, 4])).toFloat32Array()).toEqual(new Float32Array(24));
  });
});

/** Expects `fn` to throw a SimdnnError matching `re` without allocating anything. */
function rejects(fn: () => unknown, re: RegExp): void {
  const before = backend().heap.stats().liveBytes;
  expect(fn).toThrow(sn.SimdnnError);
  expect(fn).toThrow(re);
  expect(backend().heap.stats().liveBytes).toBe(before);
}

describe('bad input', () => {
  let x: Tensor;
  beforeAll(() => {
    x = sn.zeros([2, 3, 4]);
  });
  it('dims out of range', () => {
    rejects(() => sn.transpose(x, 0, 3), /transpose: dim1 3 is out of range for input \[2,3,4\]/);
    rejects(() => sn.permute(x, [0, 1]), /permute: dims \[0,1\] must name each of the 3 dims of input \[2,3,4\]/);
    rejects(() => sn.permute(x, [0, 1, -3]), /permute: dims \[0,1,-3\] repeats a dim/);
    rejects(() => sn.squeeze(x, -4), /squeeze: dim -4 is out of range/);
    rejects(() => sn.unsqueeze(x, 4), /unsqueeze: dim 4 is out of range/);
    rejects(() => sn.flatten(x, 2, 1), /flatten: startDim 2 comes after endDim 1/);
    rejects(() => sn.select(x, 3, 0), /select: dim 3 is out of range/);
    rejects(() => sn.cat([x, x], 3), /cat: dim 3 is out of range/);
  });
  it('sizes that do not match', () => {
    rejects(() => sn.reshape(x, [5, -1]), /reshape: cannot infer -1 in \[5,-1\] for 24 elements/);
    rejects(() => sn.expand(x, [2, 5, 4]), /expand: cannot expand input \[2,3,4\] to \[2,5,4\]: dim 1 has size 3/);
    rejects(() => sn.expand(x, [3, 4]), /expand: shape \[3,4\] has fewer dims than input \[2,3,4\]/);
    rejects(() => sn.narrow(x, 1, 2, 2), /narrow: start 2 \+ length 2 exceeds dim 1 of size 3/);
    rejects(() => sn.slice(x, 0, 0, 2, 0), /slice: step must be positive, got 0/);
    rejects(() => sn.select(x, 1, 3), /select: index 3 is out of range for dim 1 of size 3/);
    { const a0 = sn.zeros([2, 4, 4]); rejects(() => sn.cat([x, a0], 2), /cat: tensors\[1\] \[2,4,4\] does not match tensors\[0\] \[2,3,4\] outside dim 2/); }
    { const a0 = sn.zeros([2, 3]); rejects(() => sn.stack([x, a0]), /stack: tensors\[1\] \[2,3\] differs from tensors\[0\] \[2,3,4\]/); }
    rejects(() => sn.split(x, [1, 1], 1), /split: sizes \[1,1\] add up to 2, not to dim 1 of size 3/);
    rejects(() => sn.chunk(x, 0), /chunk: chunks must be a positive integer, got 0/);
    { const a0 = sn.zeros([5, 2]); rejects(() => sn.matmul(x, a0), /matmul: inner dimensions differ: a \[2,3,4\] vs b \[5,2\]/); }
    { const a0 = sn.zeros([3, 2, 4]); const a1 = sn.zeros([2, 4, 1]); rejects(() => sn.matmul(a0, a1), /matmul: batch dims of a \[3,2,4\] and b \[2,4,1\] do not broadcast/); }
    { const a0 = boolTensor([1, 0], [2]); rejects(() => sn.maskedFill(x, a0, 0), /maskedFill: mask \[2\] does not broadcast to input \[2,3,4\]/); }
    rejects(() => sn.F.pad(x, [1]), /pad: pads must be an array of even length/);
    rejects(() => sn.F.pad(x, [4, 0], { mode: 'reflect' }), /pad: reflect pads \(4, 0\) must be smaller than dim 2 of size 4/);
    rejects(() => sn.F.pad(x, [0, 0], { mode: 'wrap' as never }), /pad: mode must be 'constant', 'reflect' or 'replicate'/);
    rejects(() => sn.einsum('ij,jk->ik', x, x), /einsum: operand 0 \[2,3,4\] has 3 dims but 'ij' names 2/);
    { const a0 = sn.zeros([2, 2]); rejects(() => sn.einsum('ii->i', a0), /einsum: 'ii->i': 'ii' repeats a letter.*supported: one or two operands/); }
    rejects(() => sn.einsum('ij,jk,kl->il', x, x, x), /einsum: 'ij,jk,kl->il': 3 operands/);
  });
  it('indices out of range or of the wrong dtype', () => {
    rejects(() => sn.indexSelect(x, 1, [0, 3]), /indexSelect: index\[1\] = 3 is out of range \[0, 3\) for dim 1 of input \[2,3,4\]/);
    rejects(() => sn.indexSelect(x, 1, [0, -1]), /indexSelect: index\[1\] = -1 is out of range/);
    { const a0 = sn.zeros([2]); rejects(() => sn.indexSelect(x, 0, a0), /indexSelect: index must be an int32 tensor, got a float32 tensor \[2\]/); }
    rejects(() => sn.indexSelect(x, 0, [0.5]), /indexSelect: index\[0\] must be an integer, got 0.5/);
    { const a0 = intTensor([0, 0], [2]); rejects(() => sn.gather(x, 0, a0), /gather: index \[2\] must have as many dims as input \[2,3,4\]/); }
    { const a0 = intTensor([0, 9], [1, 1, 2]); rejects(() => sn.gather(x, 2, a0), /gather: index\[1\] = 9 is out of range \[0, 4\) for dim 2/); }
    { const a0 = intTensor([0, 0, 0, 0], [1, 4, 1]); rejects(() => sn.gather(x, 0, a0), /gather: index \[1,4,1\] is larger than input \[2,3,4\] at dim 1/); }
    { const a0 = intTensor([0], [1, 1, 1]); const a1 = sn.zeros([1, 1]); rejects(() => sn.scatterAdd(x, 0, a0, a1), /scatterAdd: src \[1,1\] must have as many dims as input \[2,3,4\]/); }
    { const a0 = intTensor([0], [1, 1, 1]); const a1 = intTensor([1], [1, 1, 1]); rejects(() => sn.scatterAdd(x, 0, a0, a1), /scatterAdd: src \(int32\) must have the dtype of input \(float32\)/); }
    { const a0 = sn.zeros([4]); rejects(() => sn.maskedFill(x, a0, 1), /maskedFill: mask must be a bool tensor, got a float32 tensor \[4\]/); }
  });
});

describe('memory', () => {
  it('a tidy step through every op keeps the live bytes flat from the second step', () => {
    const w = sn.randn([4, 6], { seed: 4, requiresGrad: true });
    const heap = () => backend().heap.stats().liveBytes;
    const step = () => sn.tidy(() => {
      const x = sn.randn([2, 3, 4], { seed: 5 });
      let y = sn.matmul(x, w);                                   // [2,3,6]
      y = sn.permute(sn.transpose(y, 0, 1), [2, 0, 1]);           // [6,3,2]
      y = sn.F.pad(sn.expand(sn.unsqueeze(y, 0), [2, 6, 3, 2]), [1, 1, 1, 0], { mode: 'reflect' });
      y = sn.cat([sn.narrow(y, 1, 0, 2), sn.slice(y, 1, 2, 6, 2), sn.unsqueeze(sn.select(y, 1, 5), 1)], 1);
      y = sn.indexSelect(sn.flatten(y, 0, 1), 0, [1, 0, 1]);
      const parts = sn.chunk(sn.stack(sn.split(y, 2, -1), 0), 2, 1);
      const s = sn.einsum('abcd,abcd->', parts[0], parts[0]);
      s.backward();
      return null;
    });
    step();
    const after1 = heap();
    step();
    step();
    expect(heap()).toBe(after1);
  });
});

describe('Tensor methods', () => {
  it('call the functions, with PyTorch-style varargs for permute/expand and view(shape)', () => {
    const x = sn.tensor(randomArray(24, 6), [2, 3, 4], { requiresGrad: true });
    const same = (a: Tensor, b: Tensor) => {
      expect(a.shape).toEqual(b.shape);
      expect(Array.from(a.toFloat32Array())).toEqual(Array.from(b.toFloat32Array()));
    };
    same(x.permute(2, 0, 1), sn.permute(x, [2, 0, 1]));
    same(x.permute([2, 0, 1]), sn.permute(x, [2, 0, 1]));
    same(x.transpose(0, -1), sn.transpose(x, 0, -1));
    same(x.view([4, -1]), sn.reshape(x, [4, 6]));
    same(x.unsqueeze(1).squeeze(1), x);
    same(x.narrow(1, 1, 2).expand(3, 2, 2, 4), sn.expand(sn.narrow(x, 1, 1, 2), [3, 2, 2, 4]));
    same(x.flatten(), sn.reshape(x, [24]));
    same(x.slice(2, 1, 4, 2), sn.slice(x, 2, 1, 4, 2));
    same(x.select(0, -1), sn.select(x, 0, 1));
    same(x.indexSelect(2, [3, 0]), sn.indexSelect(x, 2, [3, 0]));
    const idx = intTensor([0, 2, 1, 0, 0, 0], [2, 3, 1]);
    same(x.gather(2, idx), sn.gather(x, 2, idx));
    same(x.scatterAdd(2, idx, sn.ones([2, 3, 1])), sn.scatterAdd(x, 2, idx, sn.ones([2, 3, 1])));
    same(x.maskedFill(boolTensor([1, 0, 1, 0], [4]), -2), sn.maskedFill(x, boolTensor([1, 0, 1, 0], [4]), -2));
    expect(x.split(1, 1).map((t) => t.shape)).toEqual([[2, 1, 4], [2, 1, 4], [2, 1, 4]]);
    expect(x.chunk(2, -1).map((t) => t.shape)).toEqual([[2, 3, 2], [2, 3, 2]]);
    x.permute(1, 2, 0).view([-1]).backward(sn.ones([24]));
    expect(Array.from(x.grad!.toFloat32Array())).toEqual(new Array(24).fill(1));
    expect(x.view().length).toBe(24); // the internal memory view is still there
  });
});
