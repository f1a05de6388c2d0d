import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { Rng } from '../../src/random.js';

const data = sn.data;

/** n 1x2x3 images; image i holds the values i*10 + 0..5 (as bytes). */
function tiny(n: number) {
  const pixels = new Uint8Array(n * 6);
  for (let i = 0; i < n; i++) for (let k = 0; k < 6; k++) pixels[i * 6 + k] = i * 10 + k;
  return new data.ImageArrayDataset({ pixels, labels: Array.from({ length: n }, (_, i) => i % 3), channels: 1, height: 2, width: 3 });
}
const all = (loader: sn.data.DataLoader, epoch: number) => [...loader.batches(epoch)].map((b) => ({ data: Array.from(b.data), y: Array.from(b.y), idx: Array.from(b.indices) }));

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('DataLoader', () => {
  it('batches in order into NCHW floats and Int32Array labels', () => {
    const loader = new data.DataLoader(tiny(5), { batchSize: 2 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.shape)).toEqual([[2, 1, 2, 3], [2, 1, 2, 3], [1, 1, 2, 3]]);
    expect(Array.from(batches[1].y)).toEqual([2, 0]);
    expect(batches[1].y).toBeInstanceOf(Int32Array);
    expect(Array.from(batches[1].data)).toEqual([20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35].map((v) => Math.fround(v / 255)));
    expect(Array.from(batches[2].indices)).toEqual([4]);
  });

  it('dropLast drops the short final batch', () => {
    const loader = new data.DataLoader(tiny(5), { batchSize: 2, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map((b) => b.size)).toEqual([2, 2]);
    expect(new data.DataLoader(tiny(3), { batchSize: 4, dropLast: true }).length).toBe(0);
  });

  it('same seed → same batches; another epoch or seed → another order; every sample once', () => {
    const mk = (seed: number) => new data.DataLoader(tiny(20), { batchSize: 3, shuffle: true, seed });
    expect(all(mk(7), 0)).toEqual(all(mk(7), 0));
    expect(all(mk(7), 1)).toEqual(all(mk(7), 1));
    const e0 = all(mk(7), 0).flatMap((b) => b.idx), e1 = all(mk(7), 1).flatMap((b) => b.idx);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(all(mk(8), 0).flatMap((b) => b.idx));
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('each for..of is the next epoch, and resuming mid-epoch reproduces the rest', () => {
    const transform = (img: sn.data.Image, rng: Rng) => data.randomCrop(img, [2, 2], { rng, padding: 1 });
    const loader = new data.DataLoader(tiny(11), { batchSize: 4, shuffle: true, seed: 3, transform });
    const first = [...loader].map((b) => Array.from(b.data));
    const second = [...loader].map((b) => Array.from(b.data));
    expect(loader.epoch).toBe(2);
    expect(first).not.toEqual(second);
    const fresh = new data.DataLoader(tiny(11), { batchSize: 4, shuffle: true, seed: 3, transform });
    expect([...fresh.batches(1, 1)].map((b) => Array.from(b.data))).toEqual(second.slice(1));
    fresh.epoch = 1;
    expect([...fresh].map((b) => Array.from(b.data))).toEqual(second);
  });

  it('gives each sample a transform rng seeded by (seed, epoch, position)', () => {
    const seen: number[] = [];
    const loader = new data.DataLoader(tiny(6), { batchSize: 4, seed: 9, transform: (img, rng) => (seen.push(rng.nextU32()), img) });
    [...loader.batches(0)];
    const again = seen.splice(0);
    [...loader.batches(0, 1)];
    expect(seen).toEqual(again.slice(4));
    seen.length = 0;
    [...loader.batches(1)];
    expect(seen).not.toEqual(again);
    expect(new Set(again).size).toBe(6);
  });

  it('batches hold exactly what the transforms give outside a loader (recycled scratch memory is not overwritten early)', () => {
    const pipeline = (img: sn.data.Image, rng: Rng) =>
      data.normalize(data.horizontalFlip(data.randomCrop(data.pad(img, 1), [3, 4], { rng, padding: 1 }), { rng }), 0.5, 0.25);
    const states: number[][] = [];
    const loader = new data.DataLoader(tiny(9), { batchSize: 4, shuffle: true, seed: 5, transform: (img, rng) => (states.push(rng.getState()), pipeline(img, rng)) });
    const batches = [...loader];
    let k = 0;
    for (const b of batches) {
      for (let i = 0; i < b.size; i++, k++) {
        const rng = new Rng(0);
        rng.setState(states[k]);
        const ref = pipeline(tiny(9).get(b.indices[i]).image, rng);
        expect(Array.from(b.data.subarray(i * 12, (i + 1) * 12))).toEqual(Array.from(ref.data));
      }
    }
    expect(k).toBe(9);
  });

  it('makes x a [N,C,H,W] tensor, destructures as [x, y], and disposes it when the loop moves on', () => {
    const loader = new data.DataLoader(tiny(4), { batchSize: 2 });
    const kept: sn.Tensor[] = [];
    for (const batch of loader) {
      const [x, y] = batch as unknown as [sn.Tensor, Int32Array];
      expect(x.shape).toEqual([2, 1, 2, 3]);
      expect(x.toFloat32Array()).toEqual(batch.data);
      expect(y).toBe(batch.y);
      kept.push(x);
    }
    expect(kept.every((t) => t.isDisposed)).toBe(true);
    const keep = new data.DataLoader(tiny(4), { batchSize: 2, keepTensors: true });
    const xs = [...keep].map((b) => b.x);
    expect(xs.some((t) => t.isDisposed)).toBe(false);
    xs.forEach((t) => t.dispose());
  });

  it('rejects bad options and mismatched sample sizes with SimdnnError', () => {
    expect(() => new data.DataLoader(tiny(2), { batchSize: 0 })).toThrow(/DataLoader: batchSize must be a positive integer, got 0/);
    expect(() => new data.DataLoader(tiny(2), { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => new data.DataLoader({} as never)).toThrow(/dataset must have a length and get/);
    let k = 0;
    const loader = new data.DataLoader(tiny(2), { batchSize: 2, transform: (img) => (k++ === 0 ? img : data.pad(img, 1)) });
    expect(() => [...loader]).toThrow(/DataLoader: sample 1 is \[1,4,5\] but the batch's first sample is \[1,2,3\]/);
    expect(() => [...loader.batches(0, 5)]).toThrow(/start must be a batch number in \[0, 1\], got 5/);
  });
});

describe('Subset', () => {
  it('views the chosen indices', () => {
    const s = new data.Subset(tiny(5), [4, 1]);
    expect(s.length).toBe(2);
    expect(s.get(0).label).toBe(1);
    expect(s.get(0).image.data[0]).toBe(Math.fround(40 / 255));
    expect(() => new data.Subset(tiny(2), [2])).toThrow(/Subset: index 2 is out of range for 2 samples/);
  });
});
