// Pooling ops: PyTorch fixtures, gradchecks, window rules and bad input. The
// kernels themselves (every window case, the 2x2/2 kernels, threads, the
// relaxed build) are tested by tests/kernels/pool.test.ts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { gradcheck } from '../gradcheck.js';
import { maxRelErr } from '../helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

interface Arr { shape: number[]; data: number[] }
interface Case { name: string; fn: string; opts: Record<string, unknown>; x: Arr; y: Arr; gy: Arr; gx: Arr }
const fixtures: Case[] = JSON.parse(readFileSync(new URL('../fixtures/pool.json', import.meta.url), 'utf8')).cases;
const t = (a: Arr, requiresGrad = false) => sn.tensor(new Float32Array(a.data), a.shape, { requiresGrad });

/** The PyTorch call of a fixture, spelled with our API. */
function call(c: Case, x: sn.Tensor): sn.Tensor {
  const o = c.opts;
  const common = { kernelSize: o.kernel_size as number, ...(o.stride !== undefined && { stride: o.stride as number }),
    ...(o.padding !== undefined && { padding: o.padding as number }), ...(o.ceil_mode !== undefined && { ceilMode: o.ceil_mode as boolean }) };
  switch (c.fn) {
    case 'max_pool2d': return sn.F.maxPool2d(x, { ...common, ...(o.dilation !== undefined && { dilation: o.dilation as number }) });
    case 'avg_pool2d': return sn.F.avgPool2d(x, { ...common, ...(o.count_include_pad !== undefined && { countIncludePad: o.count_include_pad as boolean }) });
    case 'adaptive_avg_pool2d': return sn.F.adaptiveAvgPool2d(x, o.output_size as number);
    case 'adaptive_max_pool2d': return sn.F.adaptiveMaxPool2d(x, o.output_size as number);
  }
  throw new Error(c.fn);
}

describe('pools against PyTorch 1.13', () => {
  for (const c of fixtures) {
    it(`${c.fn}: ${c.name}`, () => {
      const x = t(c.x, true);
      const y = call(c, x);
      expect(y.shape).toEqual(c.y.shape);
      expect(maxRelErr(y.toFloat32Array(), c.y.data, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      y.backward(t(c.gy));
      expect(maxRelErr(x.grad!.toFloat32Array(), c.gx.data, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    });
  }
});

/** Distinct values 0.05 apart, shuffled: finite differences never flip a max. */
function spaced(n: number, seed: number): Float32Array {
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [v[i], v[j]] = [v[j], v[i]];
  }
  return new Float32Array(v);
}

describe('pool gradcheck (finite differences)', () => {
  const cases: [string, number[], (x: sn.Tensor) => sn.Tensor][] = [
    ['max 3x3/2 pad 1 ceilMode', [1, 2, 7, 6], (x) => sn.F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true })],
    ['max [2,3] dilation 2', [2, 1, 7, 8], (x) => sn.F.maxPool2d(x, { kernelSize: [2, 3], stride: [1, 2], dilation: 2 })],
    ['avg countIncludePad ceilMode', [1, 2, 6, 7], (x) => sn.F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true })],
    ['avg excludePad ceilMode', [1, 2, 6, 7], (x) => sn.F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false })],
    ['adaptive avg 7x5 -> 3x2', [1, 2, 7, 5], (x) => sn.F.adaptiveAvgPool2d(x, [3, 2])],
    ['adaptive max 7x5 -> 3x4', [1, 2, 7, 5], (x) => sn.F.adaptiveMaxPool2d(x, [3, 4])],
    // kernelSize 2 on an even size takes the 2x2/2 kernels; ceil mode on an odd size falls back to the general one.
    ['max 2x2 (the 2x2/2 kernels), odd size', [1, 2, 9, 11], (x) => sn.F.maxPool2d(x, { kernelSize: 2 })],
    ['max 2x2 ceilMode, odd size', [1, 2, 9, 11], (x) => sn.F.maxPool2d(x, { kernelSize: 2, ceilMode: true })],
  ];
  for (const [name, shape, f] of cases) {
    it(name, () => {
      const r = gradcheck(f, [{ data: spaced(shape.reduce((a, b) => a * b), 3), shape }], { eps: 1e-3 });
      expect(r.worst, r.where).toBeLessThanOrEqual(1);
    });
  }
});

describe('PyTorch window rules', () => {
  it('AlexNet pool: 3x3/2 on 55x55 gives 27x27; GoogLeNet ceil pool on 112 gives 56', () => {
    expect(sn.F.maxPool2d(sn.zeros([1, 1, 55, 55]), { kernelSize: 3, stride: 2 }).shape).toEqual([1, 1, 27, 27]);
    expect(sn.F.maxPool2d(sn.zeros([1, 1, 112, 112]), { kernelSize: 3, stride: 2, ceilMode: true }).shape).toEqual([1, 1, 56, 56]);
  });
  it('NaN propagates through max pooling, as in PyTorch', () => {
    const y = sn.F.maxPool2d(sn.tensor([1, NaN, 3, 2], [1, 1, 2, 2]), { kernelSize: 2 });
    expect(Number.isNaN(y.item())).toBe(true);
  });
});

describe('pools reject bad input and allocate nothing', () => {
  const x = () => sn.zeros([1, 2, 6, 6]);
  const bad: [string, () => unknown, RegExp][] = [
    ['unbatched', () => sn.F.maxPool2d(sn.zeros([2, 6, 6]), { kernelSize: 2 }), /maxPool2d: input must be 4-D NCHW, got \[2,6,6\].*unbatched/],
    ['missing kernelSize', () => sn.F.maxPool2d(x(), {} as sn.F.MaxPool2dOptions), /maxPool2d: kernelSize is required/],
    ['kernel 0', () => sn.F.avgPool2d(x(), { kernelSize: 0 }), /avgPool2d: kernelSize must be a positive integer/],
    ['stride 0', () => sn.F.maxPool2d(x(), { kernelSize: 2, stride: 0 }), /stride must be a positive integer/],
    ['padding over half the kernel', () => sn.F.maxPool2d(x(), { kernelSize: 3, padding: 2 }), /padding 2x2 must be at most half the kernel 3x3/],
    ['kernel larger than padded input', () => sn.F.avgPool2d(x(), { kernelSize: 9 }), /avgPool2d: kernel 9x9 is larger than the padded input 6x6/],
    ['unknown option', () => sn.F.avgPool2d(x(), { kernelSize: 2, dilation: 2 } as sn.F.AvgPool2dOptions), /avgPool2d: unknown option 'dilation'/],
    ['ceilMode not boolean', () => sn.F.maxPool2d(x(), { kernelSize: 2, ceilMode: 1 as unknown as boolean }), /ceilMode must be a boolean/],
    ['adaptive size 0', () => sn.F.adaptiveAvgPool2d(x(), 0), /adaptiveAvgPool2d: outputSize must be a positive integer/],
    ['adaptive size triple', () => sn.F.adaptiveMaxPool2d(x(), [1, 2, 3] as unknown as number), /adaptiveMaxPool2d: outputSize must be .* got \[1,2,3\]/],
    ['not a tensor', () => sn.F.adaptiveMaxPool2d([1] as unknown as sn.Tensor, 1), /input must be a Tensor, got an array/],
  ];
  for (const [name, fn, msg] of bad) {
    it(name, () => {
      const before = backend().heap.stats().liveBytes;
      let err: unknown;
      try { fn(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(sn.SimdnnError);
      expect(String((err as Error).message)).toMatch(msg);
      expect(backend().heap.stats().liveBytes - before).toBeLessThanOrEqual(320); // the test's own x
    });
  }
});
