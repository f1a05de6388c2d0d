// A loop's batches are released when the loader hands out the next one (src/data/batch.ts):
// x is disposed unless kept, and a batch whose x was used and whose data was never read gives
// its input array to a later batch. Same bits as fresh arrays, flat memory, clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { SimdnnError } from '../../src/errors.js';
import type { Rng } from '../../src/random.js';

const data = sn.data;

/** n 3x5x5 images of varied bytes, labels i mod 4, with an async no-op `prepare` (as a folder's). */
function images(n: number) {
  const pixels = new Uint8Array(n * 75);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 53 + (i >> 7)) & 255;
  const ds = new data.ImageArrayDataset({ pixels, labels: Array.from({ length: n }, (_, i) => i % 4), channels: 3, height: 5, width: 5 });
  return Object.assign(ds, { prepare: async () => {} });
}
const transform = (img: sn.data.Image, rng: Rng) => data.normalize(data.horizontalFlip(data.randomCrop(img, 4, { rng, padding: 1 }), { rng }), [0.4, 0.5, 0.6], [0.2, 0.25, 0.3]);
const loader = (opts: sn.data.DataLoaderOptions = {}) => new data.DataLoader(images(23), { batchSize: 4, shuffle: true, seed: 3, transform, ...opts });
/** Every batch of `epoch` with fresh arrays (random access is never recycled). */
const reference = (epoch: number) => {
  const l = loader();
  return Array.from({ length: l.length }, (_, b) => Array.from(l.batch(epoch, b).data));
};

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('DataLoader loops release their batches', () => {
  for (const kind of ['for..of', 'for await'] as const) {
    it(`${kind}: a loop that only uses x reuses one array over 5 epochs, with the bits of fresh arrays`, async () => {
      const l = loader();
      for (let e = 0; e < 5; e++) {
        const seen: number[][] = [];
        const ref = reference(e);
        const step = (b: sn.data.Batch) => seen.push(Array.from(b.x.toFloat32Array()));
        if (kind === 'for..of') for (const b of l) step(b);
        else for await (const b of l) step(b);
        expect(seen).toEqual(ref); // 6 batches, the last one of 3: a shorter view of the same array
      }
      expect(l.batchBuffers).toBe(1);
    });
  }

  it('a released batch whose array was reused throws a SimdnnError from x and data; sn.keep(x) keeps its tensor', () => {
    const l = loader();
    const held: sn.data.Batch[] = [];
    let kept: sn.Tensor | null = null;
    let keptValues: Float32Array | null = null;
    for (const b of l) {
      if (b.index === 0) {
        kept = sn.keep(b.x);
        keptValues = kept.toFloat32Array();
      } else {
        b.x;
      }
      held.push(b);
    }
    expect(() => held[1].x).toThrow(SimdnnError);
    expect(() => held[1].x).toThrow(/Batch\.x: batch 1 of epoch 0 was released when the DataLoader handed out the next batch or its loop ended, and its input memory now holds a later batch/);
    expect(() => held[2].data).toThrow(/Batch\.data: batch 2 of epoch 0 was released .*sn\.keep\(batch\.x\) or copy batch\.data while it is current, or make the loader with keepTensors: true/);
    expect(held[0].x).toBe(kept);
    expect(kept!.toFloat32Array()).toEqual(keptValues);
    expect(() => held[0].data).toThrow(/batch 0 of epoch 0 was released/);
    kept!.dispose();
  });

  it('data you read is yours: never reused, and unchanged after many later batches', async () => {
    const l = loader();
    const ref = reference(0);
    const arrays: Float32Array[] = [];
    for await (const b of l) {
      b.x;
      arrays.push(b.data);
    }
    for (const b of l) b.x; // another epoch, x only
    expect(arrays.map((a) => Array.from(a))).toEqual(ref);
    expect(new Set(arrays.map((a) => a.buffer)).size).toBe(arrays.length);
  });

  it('batches never used keep their data ([...loader] works as before), and x is made from it', () => {
    const l = loader();
    const all = [...l];
    expect(all.map((b) => Array.from(b.data))).toEqual(reference(0));
    expect(Array.from(all[0].x.toFloat32Array())).toEqual(reference(0)[0]);
  });

  it('keepTensors: every batch stays whole (x readable after the loop, its array its own)', () => {
    const l = loader({ keepTensors: true });
    const held: sn.data.Batch[] = [];
    for (const b of l) {
      b.x;
      held.push(b);
    }
    expect(held.at(-1)!.x.isDisposed).toBe(false); // not disposed when the loop ended
    // Earlier ones were released by the step rules (docs/memory.md) and are made again from their data.
    expect(held.map((b) => Array.from(b.x.toFloat32Array()))).toEqual(reference(0));
    expect(held.map((b) => Array.from(b.data))).toEqual(reference(0));
    expect(l.batchBuffers).toBe(0);
  });

  it('for await is a step boundary, as for..of: a step tensor left unused is released two batches later', async () => {
    const l = loader();
    let t: sn.Tensor | null = null;
    for await (const b of l) {
      if (b.index === 0) t = sn.mul(b.x, 2);
      if (b.index === 3) break;
    }
    expect(() => t!.toFloat32Array()).toThrow(/released at step boundary \d+ \(DataLoader batch\)/);
  });
});
