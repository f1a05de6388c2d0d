// Element-wise ops and reductions: finite-difference gradients, the method
// forms, bad input (SimdnnError, no memory left behind), and gradients of
// broadcast operands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import type { Tensor } from '../../src/tensor.js';
import { gradcheck } from '../gradcheck.js';
import { randomArray } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const A = { data: randomArray(12, 1).map((v) => v * 2), shape: [3, 4] };
const B = { data: randomArray(4, 2).map((v) => v + 2), shape: [4] };
const C = { data: randomArray(3, 3), shape: [3, 1] };
const POS = { data: randomArray(12, 4).map((v) => v * 0.5 + 1), shape: [3, 4] };

describe('finite differences', () => {
  const cases: [string, (...x: Tensor[]) => Tensor, { data: Float32Array; shape: number[] }[]][] = [
    ['add broadcast', (a, b) => sn.add(a, b), [A, B]],
    ['sub broadcast', (a, c) => a.sub(c), [A, C]],
    ['mul broadcast', (b, c) => sn.mul(b, c), [B, C]],
    ['div broadcast', (a, b) => a.div(b), [A, B]],
    ['pow', (p, b) => sn.pow(p, b.mul(0.5)), [POS, B]],
    ['maximum', (a, c) => sn.maximum(a, c), [A, C]],
    ['unary chain', (p) => p.log().add(p.sqrt()).add(p.rsqrt()).add(p.exp()).add(p.square()).add(p.neg().abs()), [POS]],
    ['clamp', (a) => a.clamp(-0.7, 0.9), [A]],
    ['where', (a, c) => sn.where(a.gt(0), a.mul(2), c), [A, C]],
    ['sum/mean', (a) => a.sum(1).add(a.mean([0, 1])), [A]],
    ['prod', (p) => p.prod(0), [POS]],
    ['amax', (a) => a.amax(1, true), [A]],
    ['logsumexp', (a) => a.logsumexp(0), [A]],
    ['var/std', (a) => a.var(1).sum().add(a.std(0, { correction: 0 }).sum()), [A]],
    ['norm 2/1/3', (a) => a.norm(2, 1).add(a.norm(1, 1)).add(a.norm(3, 1)), [A]],
    ['max dim', (a) => a.max(1).values, [A]],
    ['topk/sort', (a) => a.topk(2, 1).values.sum(1).add(a.sort(0).values.mul(sn.tensor([1, 2, 3], [3, 1])).sum(0).sum()), [A]],
    ['cumsum', (a) => a.cumsum(0), [A]],
  ];
  for (const [name, f, inputs] of cases) {
    it(name, () => {
      const r = gradcheck(f, inputs.map((x) => ({ data: Float32Array.from(x.data), shape: x.shape })), { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }
});

describe('methods and functions agree', () => {
  it('a.op(b) is sn.op(a, b)', () => {
    const a = sn.tensor(A.data, A.shape);
    const b = sn.tensor(B.data, B.shape);
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'lt', 'ge'] as const) {
      expect(Array.from((a[op] as (o: Tensor) => Tensor)(b).toFloat32Array()), op).toEqual(Array.from((sn[op] as (x: Tensor, y: Tensor) => Tensor)(a, b).toFloat32Array()));
    }
    expect(a.sum().item()).toBe(sn.sum(a).item());
    expect(a.max().shape).toEqual([]);
    expect(a.argmax().dtype).toBe('int32');
    expect(a.argmax(1, true).shape).toEqual([3, 1]);
  });
  it('F.add keeps working (residual connections) and now broadcasts as PyTorch', () => {
    const a = sn.ones([2, 3, 4, 4]);
    const b = sn.ones([3, 1, 1]);
    expect(sn.F.add(a, b).shape).toEqual([2, 3, 4, 4]);
    expect(sn.F.add(a, a).toFloat32Array().every((v) => v === 2)).toBe(true);
  });
  it('broadcast gradients are summed back to each operand', () => {
    const a = sn.ones([2, 1, 3], { requiresGrad: true });
    const b = sn.ones([4, 1], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([4, 4, 4, 4, 4, 4]);
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([6, 6, 6, 6]);
  });
  it('int32 labels: argmax equals labels → accuracy', () => {
    const logits = sn.tensor([0.1, 2, 0.3, 5, 0, 1], [2, 3]);
    const labels = sn.tensor(Int32Array.from([1, 2]));
    expect(logits.argmax(1).eq(labels).float().mean().item()).toBe(0.5);
  });
});

describe('NaN through the vector paths of amax/amin', () => {
  it('a long row and 16-wide column blocks give NaN exactly where a NaN was', () => {
    const row = Float32Array.from({ length: 40 }, (_, i) => i);
    row[21] = NaN;
    expect(sn.tensor(row).amax().item()).toBeNaN();
    expect(sn.tensor(row).amin().item()).toBeNaN();
    row[21] = 5;
    expect(sn.tensor(row).amax().item()).toBe(39);
    const cols = Float32Array.from({ length: 3 * 32 }, (_, i) => i % 7);
    cols[32 + 5] = NaN; // row 1, column 5
    const m = Array.from(sn.tensor(cols, [3, 32]).amax(0).toFloat32Array());
    m.forEach((v, c) => (c === 5 ? expect(v).toBeNaN() : expect(v).toBe(Math.max(c % 7, (32 + c) % 7, (64 + c) % 7))));
  });
});

describe('bad input throws a SimdnnError and leaves no memory behind', () => {
  const live = () => backend().heap.stats().liveBytes;
  const bad: [string, () => unknown, RegExp][] = [
    ['mismatched broadcast', () => sn.add(sn.ones([2, 3]), sn.ones([4])), /add: shapes \[2,3\] and \[4\] cannot be broadcast together/],
    ['mismatched broadcast (where)', () => sn.where(sn.ones([2]).gt(0), sn.ones([3]), 0), /where: shapes/],
    ['dim out of range', () => sn.sum(sn.ones([2, 3]), 2), /sum: dim 2 is out of range for input \[2,3\]/],
    ['dim twice', () => sn.mean(sn.ones([2, 3]), [1, -1]), /names a dimension twice/],
    ['wrong dtype (mean of int)', () => sn.mean(sn.tensor(Int32Array.from([1, 2]))), /mean: input must be float32, got int32 tensor \[2\]/],
    ['wrong dtype (where condition)', () => sn.where(sn.ones([2]), 1, 0), /condition must be a bool tensor/],
    ['bool arithmetic', () => sn.add(sn.ones([2]).gt(0), sn.ones([2]).gt(0)), /two bool tensors/],
    ['k > size', () => sn.topk(sn.ones([2, 3]), 4), /topk: k must be an integer in \[0, 3\]/],
    ['amax of empty', () => sn.amax(sn.ones([2, 0]), 1), /size 0/],
    ['not a tensor', () => sn.mul('x' as never, 2), /mul: input must be a Tensor or a number/],
    ['two numbers', () => sn.add(1 as never, 2), /at least one Tensor/],
    ['clamp with no bounds', () => sn.clamp(sn.ones([2])), /at least one of min and max/],
    ['negative int power', () => sn.pow(sn.tensor(Int32Array.from([2])), -1), /negative integer powers/],
    ['unknown option', () => sn.sort(sn.ones([3]), 0, { descnding: true } as never), /unknown option 'descnding'/],
  ];
  for (const [name, f, msg] of bad) {
    it(name, () => {
      const before = live();
      expect(f).toThrow(sn.SimdnnError);
      expect(f).toThrow(msg);
      // every tensor the failing call made is gone: only the operands built inside f remain, released here by tidy
      sn.tidy(() => { try { f(); } catch { /* expected */ } });
      expect(live()).toBeLessThanOrEqual(before + 4096);
    });
  }
});

describe('int32 arithmetic', () => {
  it('wraps at 32 bits as int32 does, pow by squaring (a huge exponent is fast)', () => {
    const x = sn.tensor(Int32Array.from([2, 3, -2, 0x7fffffff]));
    expect(Array.from(x.pow(3).toInt32Array())).toEqual([8, 27, -8, Math.imul(Math.imul(0x7fffffff, 0x7fffffff), 0x7fffffff)]);
    expect(Array.from(sn.tensor(Int32Array.from([1, -1, 2])).pow(1e9).toInt32Array())).toEqual([1, 1, 0]);
    expect(Array.from(x.add(1).toInt32Array())).toEqual([3, 4, -1, -2147483648]);
  });
});
