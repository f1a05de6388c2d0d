import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/zoo/${name}`, import.meta.url)));

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** A safetensors file from a header object and a data section. */
function file(header: unknown, data = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const h = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('io.loadSafetensors', () => {
  it('reads every dtype PyTorch writes, as float32 (fixture written by scripts/fixtures/zoo.py)', () => {
    const want: Record<string, { shape: number[]; values: (number | string)[] }> = JSON.parse(readFileSync(new URL('../fixtures/zoo/dtypes.json', import.meta.url), 'utf8'));
    const sd = sn.io.loadSafetensors(fixture('dtypes.safetensors'));
    expect(Object.keys(sd).sort()).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) {
      expect(sd[k].shape, k).toEqual(w.shape);
      expect(Array.from(sd[k].toFloat32Array()), k).toEqual(Array.from(Float32Array.from(w.values.map(Number))));
    }
    expect(sd.scalar_i64.shape).toEqual([]);
    expect(sd.scalar_i64.item()).toBe(42);
  });

  it('round-trips a model through saveSafetensors, num_batches_tracked as 0-d I64', () => {
    const m = new sn.nn.Sequential(new sn.nn.Conv2d(2, 3, 3, { seed: 1 }), new sn.nn.BatchNorm2d(3), new sn.nn.Linear(4, 2, { seed: 2 }));
    m.namedStates().find(([n]) => n === '1.num_batches_tracked')![1].view()[0] = 5;
    const bytes = sn.io.saveSafetensors(m, { metadata: { format: 'pt' } });
    const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(hlen % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen)));
    expect(header['1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data_offsets: [header['1.num_batches_tracked'].data_offsets[0], header['1.num_batches_tracked'].data_offsets[0] + 8] });
    expect(header['0.weight'].dtype).toBe('F32');
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const sd = sn.io.loadSafetensors(bytes);
    expect(Object.keys(sd)).toEqual(m.namedStates().map(([n]) => n));
    for (const [n, t] of m.namedStates()) expect(sd[n].toFloat32Array(), n).toEqual(t.toFloat32Array());
    const fresh = new sn.nn.Sequential(new sn.nn.Conv2d(2, 3, 3, { seed: 9 }), new sn.nn.BatchNorm2d(3), new sn.nn.Linear(4, 2, { seed: 9 }));
    fresh.loadStateDict(sd);
    expect(fresh.parameters()[0].toFloat32Array()).toEqual(m.parameters()[0].toFloat32Array());
    // a plain record works too, and an empty one is a valid file
    expect(Object.keys(sn.io.loadSafetensors(sn.io.saveSafetensors({ a: sn.ones([2]) })))).toEqual(['a']);
    expect(sn.io.loadSafetensors(sn.io.saveSafetensors({}))).toEqual({});
  });

  it("loads a torchvision block's whole state_dict as PyTorch saved it (I64 counters included)", () => {
    const sd = sn.io.loadSafetensors(fixture('basicblock.safetensors'));
    const block = new sn.nn.BasicBlock(16, 32, 2);
    const own: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(sd)) if (k.startsWith('model.')) own[k.slice(6)] = v;
    block.loadStateDict(own);
    expect(block.namedStates().find(([n]) => n === 'bn1.num_batches_tracked')![1].item()).toBe(7);
    expect(block.bn1.runningVar.toFloat32Array()).toEqual(own['bn1.running_var'].toFloat32Array());
  });

  const f32 = (n: number) => new Uint8Array(4 * n);
  const bad: [string, () => Uint8Array, RegExp][] = [
    ['a file shorter than 8 bytes', () => new Uint8Array(5), /fewer than the 8-byte header length/],
    ['a header length past the end', () => { const b = file({}); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; }, /header length 1000 does not fit a file of 10 bytes/],
    ['a huge header length', () => { const b = file({}); new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true); return b; }, /does not fit/],
    ['invalid JSON', () => file(null, undefined, '{"a": '), /header is not valid UTF-8 JSON/],
    ['a JSON array', () => file([1, 2]), /header must be a JSON object/],
    ['an unknown dtype', () => file({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /dtype "C64"/],
    ['a negative size', () => file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /shape \[-1\]/],
    ['size and offsets that disagree', () => file({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, f32(3)), /needs 16 bytes but data_offsets \[0,12\] span 12/],
    ['offsets outside the file', () => file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2)), /lie outside the 8-byte data section/],
    ['overlapping ranges', () => file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)), /overlap/],
    ['a hole between ranges', () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)), /hole/],
    ['trailing bytes no entry covers', () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), /entries cover 4 \(strict\)/],
    ['reversed offsets', () => file({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(1)), /begin ≤ end/],
    ['non-string metadata', () => file({ __metadata__: { n: 1 } }), /__metadata__ must be an object of strings/],
    ['an entry that is not an object', () => file({ a: 3 }), /entry 'a' must be an object/],
  ];
  for (const [what, make, msg] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => sn.io.loadSafetensors(make())).toThrow(sn.SimdnnError);
      expect(() => sn.io.loadSafetensors(make())).toThrow(msg);
    });
  }

  it('allows holes with strict: false but never overlaps or out-of-range offsets', () => {
    const holey = file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3));
    expect(Object.keys(sn.io.loadSafetensors(holey, { strict: false }))).toEqual(['a', 'b']);
    const outside = file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2));
    expect(() => sn.io.loadSafetensors(outside, { strict: false })).toThrow(/outside/);
    expect(() => sn.io.loadSafetensors(holey, { strict: false, lenient: true } as object)).toThrow(/unknown option 'lenient'/);
  });

  it('reads float32 data at any byte alignment (odd offsets, a Uint8Array into a larger buffer)', () => {
    const data = new Uint8Array(9);
    new DataView(data.buffer).setFloat32(1, 1.5, true);
    new DataView(data.buffer).setFloat32(5, -2.25, true);
    const bytes = file({ a: { dtype: 'F32', shape: [2], data_offsets: [1, 9] } }, data, '{"a":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}');
    expect(Array.from(sn.io.loadSafetensors(bytes, { strict: false }).a.toFloat32Array())).toEqual([1.5, -2.25]);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(Array.from(sn.io.loadSafetensors(big.subarray(3), { strict: false }).a.toFloat32Array())).toEqual([1.5, -2.25]);
  });

  it('rejects truncated copies of a real file at every length without reading out of bounds', () => {
    const bytes = fixture('dtypes.safetensors');
    for (let n = 0; n < bytes.length; n += 7) {
      expect(() => sn.io.loadSafetensors(bytes.slice(0, n))).toThrow(sn.SimdnnError);
    }
  });

  it('loadStateDict reports missing and unexpected keys of a loaded file', () => {
    const m = new sn.nn.Linear(2, 2, { seed: 1 });
    const sd = sn.io.loadSafetensors(sn.io.saveSafetensors({ weight: sn.zeros([2, 2]), extra: sn.zeros([1]) }));
    expect(() => m.loadStateDict(sd)).toThrow(/missing keys 'bias'; unexpected keys 'extra'/);
    expect(m).toBeInstanceOf(Module);
  });
});
