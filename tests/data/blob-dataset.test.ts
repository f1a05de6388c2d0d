// The browser image decoding's Node-side contract (its pixels are checked in
// Chromium: tests/browser/decode.test.mjs): option checks, a clear error where
// there is no createImageBitmap, and DataLoader's `for await` asking the dataset
// for the next batch before handing over the current one (decoding overlaps training).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

describe('decodeImageBlob and ImageBlobDataset outside a browser', () => {
  it('say what they need where createImageBitmap/OffscreenCanvas are missing (Node)', async () => {
    const blob = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]);
    await expect(sn.data.decodeImageBlob(blob)).rejects.toThrow(/^decodeImageBlob: needs createImageBitmap and OffscreenCanvas .*simdnn\/node/);
    expect(() => new sn.data.ImageBlobDataset([{ source: blob, label: 0 }])).toThrow(/^ImageBlobDataset: needs createImageBitmap and OffscreenCanvas/);
  });

  it('reject bad options and items before anything is decoded', async () => {
    const blob = new Blob([]);
    await expect(sn.data.decodeImageBlob(blob, { resize: [0, 4] })).rejects.toThrow(/^decodeImageBlob: resize must be a positive integer \(the shorter side\) or \[height, width\], got \[0,4\]/);
    await expect(sn.data.decodeImageBlob(blob, { channels: 2 as 3 })).rejects.toThrow(/channels must be 1 or 3, got 2/);
    await expect(sn.data.decodeImageBlob(blob, { resizeQuality: 'best' as 'high' })).rejects.toThrow(/resizeQuality must be/);
    await expect(sn.data.decodeImageBlob(blob, { size: 3 } as object)).rejects.toThrow(/unknown option 'size'/);
    await expect(sn.data.decodeImageBlob(42 as unknown as Blob)).rejects.toThrow(/source must be a Blob, a File or a URL string, got \[object Number\]/);
    expect(() => new sn.data.ImageBlobDataset([])).toThrow(/items must be a non-empty array/);
    expect(() => new sn.data.ImageBlobDataset([{ source: 'a.png', label: -1 }])).toThrow(/item 0 \(a\.png\) has label -1/);
    expect(() => new sn.data.ImageBlobDataset([{ source: 'a.png', label: 2 }], { classes: ['x', 'y'] })).toThrow(/item 0 has label 2, out of range for 2 classes/);
    expect(() => new sn.data.ImageBlobDataset([{ source: 'a.png', label: 0 }], { workers: -1 })).toThrow(/^ImageBlobDataset: workers must be a non-negative integer, got -1$/);
  });
});

describe('DataLoader for await', () => {
  it("starts the next batch's prepare before handing over the current batch", async () => {
    const log: string[] = [];
    const base = new sn.data.ImageArrayDataset({ pixels: new Uint8Array(5), labels: [0, 1, 2, 3, 4], channels: 1, height: 1, width: 1 });
    const ds: sn.data.Dataset = {
      length: 5,
      get: (i) => base.get(i),
      prepare: async (idx) => {
        log.push(`prepare ${Array.from(idx).join(',')}`);
      },
    };
    for await (const b of new sn.data.DataLoader(ds, { batchSize: 2 })) log.push(`step ${Array.from(b.indices).join(',')}`);
    // Batch b + 1's prepare is asked for before the caller's step on batch b (prepare of a batch already asked for again is a no-op for the datasets that decode).
    expect(log.filter((l) => l.startsWith('step'))).toEqual(['step 0,1', 'step 2,3', 'step 4']);
    expect(log.indexOf('prepare 2,3')).toBeLessThan(log.indexOf('step 0,1'));
    expect(log.indexOf('prepare 4')).toBeLessThan(log.indexOf('step 2,3'));
  });
});
