// Decoded photos stay bytes through crops and flips; PCA colour and normalize
// change each channel's byte → float table; the floats are made once, in the
// batch. Every result must equal the float path's bit for bit (and torchvision's).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as data from '../../src/data/index.js';
import { byteImage, pendingBytes, writePixels } from '../../src/data/byte-image.js';
import { pixelsToImage } from '../../src/data/node/decode-image.js';
import { Rng } from '../../src/random.js';
import { bitsEqual } from '../helpers.js';

const FX = JSON.parse(readFileSync('tests/fixtures/data/transforms.json', 'utf8'));

/** Deterministic bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const r = new Rng(seed);
  return Uint8Array.from({ length: n }, () => r.int(256));
}

/** The same image as plain floats (what the decoders returned before byte images). */
function asFloats(img: data.Image): data.Image {
  return data.image(img.channels, img.height, img.width, Float32Array.from(img.data));
}

const pca = new data.PcaColorAugment([0.066, 0.058, 0.051, 0.058, 0.061, 0.059, 0.051, 0.059, 0.069]);
const MEAN = [0.485, 0.456, 0.406], STD = [0.229, 0.224, 0.225];
/** AlexNet's training pipeline after decoding (bench/lib/alexnet-folder-pipeline.mjs, the alexnet recipe). */
const alexnet = (img: data.Image, rng: Rng) => data.normalize(pca.apply(data.horizontalFlip(data.randomCrop(img, [9, 12], { rng }), { rng }), { rng }), MEAN, STD);

describe('byte images', () => {
  it("torchvision's crop, hflip and Normalize of a PIL photo: the same floats from the bytes", () => {
    const f = FX.bytesChain;
    const [top, left, h, w] = f.box;
    /** Places randomCrop's window at the fixture's box (it draws the top, then the left offset). */
    class At extends Rng {
      private readonly draws = [top, left];
      override int(): number {
        return this.draws.shift()!;
      }
    }
    const img = byteImage(Uint8Array.from(f.hwc), 3, 3, f.height, f.width);
    const out = data.normalize(data.horizontalFlip(data.randomCrop(img, [h, w], { rng: new At(0) }), { p: 1 }), f.mean, f.std);
    expect(pendingBytes(out)).toBeDefined();
    // torch normalizes in two float32 steps (sub, then div), simdnn's float path in one: within a float32 step.
    const y = Float32Array.from(f.y), got = out.data;
    expect(got.length).toBe(y.length);
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(got[i] - y[i]) / Math.max(1, Math.abs(y[i])));
    expect(worst).toBeLessThanOrEqual(2 ** -22);
  });

  it('the AlexNet chain on bytes equals the chain on floats bit for bit, and stays bytes until written into the batch', () => {
    for (const [stride, C, gray] of [[3, 3, false], [4, 3, false], [1, 3, true], [1, 1, true]] as const) {
      const H = 15, W = 19;
      const px = bytes(H * W * stride, 7 + stride);
      const floats = asFloats(pixelsToImage(px, stride, W, H, C, gray));
      for (let seed = 0; seed < 12; seed++) {
        const b = pixelsToImage(px, stride, W, H, C, gray);
        const rgbOnly = (img: data.Image, rng: Rng) => (C === 3 ? alexnet(img, rng) : data.normalize(data.horizontalFlip(data.randomCrop(img, [9, 12], { rng }), { rng }), [0.5], [0.25]));
        const viaBytes = rgbOnly(b, new Rng(seed));
        const viaFloats = rgbOnly(floats, new Rng(seed));
        expect(pendingBytes(viaBytes), `stride ${stride}`).toBeDefined();
        const batch = new Float32Array(5 + viaFloats.data.length);
        writePixels(viaBytes, batch, 5);
        expect(pendingBytes(viaBytes)).toBeDefined(); // writing does not make the floats
        expect(bitsEqual(batch.subarray(5), viaFloats.data), `stride ${stride} seed ${seed}`).toBe(true);
        expect(bitsEqual(viaBytes.data, viaFloats.data)).toBe(true);
        expect(pendingBytes(viaBytes)).toBeUndefined(); // read once: an ordinary float image now
      }
    }
  });

  it('crops and mirrors in any order and number are views of the same bytes, with the floats of the float path', () => {
    const chains: [string, (img: data.Image) => data.Image][] = [
      ['crop, mirror, crop', (img) => data.centerCrop(data.horizontalFlip(data.randomCrop(img, [11, 13], { seed: 4 }), { p: 1 }), [7, 9])],
      ['mirror, mirror, crop', (img) => data.randomCrop(data.horizontalFlip(data.horizontalFlip(img, { p: 1 }), { p: 1 }), [6, 5], { seed: 8 })],
      ['mirror, crop, mirror, crop', (img) => data.randomCrop(data.horizontalFlip(data.randomCrop(data.horizontalFlip(img, { p: 1 }), [10, 17], { seed: 2 }), { p: 1 }), [3, 4], { seed: 5 })],
    ];
    for (const [stride, C, gray] of [[3, 3, false], [4, 3, false], [1, 1, true]] as const) {
      const px = bytes(15 * 19 * stride, 30 + stride);
      const floats = asFloats(pixelsToImage(px, stride, 19, 15, C, gray));
      for (const [name, chain] of chains) {
        const src = pixelsToImage(px, stride, 19, 15, C, gray);
        const viaBytes = chain(src);
        expect(pendingBytes(viaBytes)!.bytes, `${name}: no bytes copied`).toBe(pendingBytes(src)!.bytes);
        expect(bitsEqual(viaBytes.data, chain(floats).data), `${name}, stride ${stride}`).toBe(true);
      }
    }
  });

  it('gray from RGB is PIL luma; a window reaching into padding, and other transforms, use the floats', () => {
    const px = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    expect(Array.from(pixelsToImage(px, 3, 4, 1, 1).data, (v) => Math.round(v * 255))).toEqual([76, 150, 29, 18]);
    const img = () => byteImage(bytes(6 * 7 * 3, 3), 3, 3, 6, 7); // a fresh one each time: reading `data` makes its floats
    const ref = asFloats(img());
    for (const seed of [1, 2, 3]) {
      const a = data.randomCrop(img(), 5, { seed, padding: 2, fill: 0.5 });
      expect(bitsEqual(a.data, data.randomCrop(ref, 5, { seed, padding: 2, fill: 0.5 }).data)).toBe(true);
    }
    expect(bitsEqual(data.centerCrop(img(), [8, 9]).data, data.centerCrop(ref, [8, 9]).data)).toBe(true);
    expect(bitsEqual(data.verticalFlip(img(), { p: 1 }).data, data.verticalFlip(ref, { p: 1 }).data)).toBe(true);
    expect(bitsEqual(data.resize(img(), 4).data, data.resize(ref, 4).data)).toBe(true);
  });

  it('an edit of the floats once read is kept by later transforms (the bytes are not used again)', () => {
    const img = byteImage(bytes(4 * 5 * 3, 9), 3, 3, 4, 5);
    img.data[0] = 7;
    expect(pendingBytes(img)).toBeUndefined();
    expect(data.randomCrop(img, [4, 5], { seed: 1 }).data[0]).toBe(7);
    const other = byteImage(bytes(4 * 5 * 3, 9), 3, 3, 4, 5);
    other.data = new Float32Array(60).fill(2);
    expect(data.normalize(other, 1, 2).data[59]).toBe(0.5);
    // A spread copy holds the floats (the bytes are not copied with it).
    const copy = { ...byteImage(bytes(4 * 5 * 3, 9), 3, 3, 4, 5) };
    expect(pendingBytes(copy)).toBeUndefined();
    expect(copy.data).toBeInstanceOf(Float32Array);
  });

  it('a DataLoader over byte images gives the batches of the same images as floats', () => {
    const imgs = Array.from({ length: 6 }, (_, i) => bytes(14 * 16 * 3, 20 + i));
    const ds = (floats: boolean) => ({
      length: 6,
      get: (i: number) => {
        const b = byteImage(imgs[i], 3, 3, 14, 16);
        return { image: floats ? asFloats(b) : b, label: i % 2 };
      },
    });
    const opts = { batchSize: 4, shuffle: true, seed: 3, transform: alexnet };
    const a = new data.DataLoader(ds(false), opts), b = new data.DataLoader(ds(true), opts);
    for (let e = 0; e < 2; e++) for (let k = 0; k < a.length; k++) expect(bitsEqual(a.batch(e, k).data, b.batch(e, k).data)).toBe(true);
  });

  it('a bad byte image is refused without making its floats', () => {
    const img = byteImage(new Uint8Array(10), 3, 3, 4, 5);
    expect(() => data.randomCrop(img, 2, { seed: 1 })).toThrow(/randomCrop: img is 3x4x5 but holds 10 bytes of 3 per pixel/);
  });
});
