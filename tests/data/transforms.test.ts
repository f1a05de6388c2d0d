import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as data from '../../src/data/index.js';
import { SimdnnError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { maxRelErr } from '../helpers.js';

/** A CHW image whose value at (c, y, x) is c*100 + y*10 + x. */
function ramp(C: number, H: number, W: number): data.Image {
  const img = data.image(C, H, W);
  for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.data[(c * H + y) * W + x] = c * 100 + y * 10 + x;
  return img;
}
const at = (img: data.Image, c: number, y: number, x: number) => img.data[(c * img.height + y) * img.width + x];

describe('crops', () => {
  it('randomCrop takes the window at the offsets drawn from the seed (top first, then left)', () => {
    const img = ramp(2, 8, 9);
    for (const seed of [1, 2, 3, 99]) {
      const r = new Rng(seed);
      const top = r.int(8 - 5 + 1), left = r.int(9 - 4 + 1);
      const out = data.randomCrop(img, [5, 4], { seed });
      expect([out.channels, out.height, out.width]).toEqual([2, 5, 4]);
      for (let c = 0; c < 2; c++) for (let y = 0; y < 5; y++) for (let x = 0; x < 4; x++) expect(at(out, c, y, x)).toBe(at(img, c, top + y, left + x));
      expect(data.randomCrop(img, [5, 4], { seed }).data).toEqual(out.data);
    }
  });

  it('randomCrop reaches every position with roughly equal frequency', () => {
    const img = ramp(1, 6, 6);
    const rng = new Rng(5);
    const counts = new Map<number, number>();
    for (let i = 0; i < 9000; i++) {
      const v = data.randomCrop(img, 4, { rng }).data[0]; // = top*10 + left
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22]);
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });

  it('randomCrop with padding shifts the image and fills the border', () => {
    const img = ramp(1, 3, 3);
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const out = data.randomCrop(img, 3, { seed, padding: 1, fill: -1 });
      const r = new Rng(seed);
      const top = r.int(3), left = r.int(3);
      seen.add(`${top},${left}`);
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 3; x++) {
          const sy = top - 1 + y, sx = left - 1 + x;
          const inside = sy >= 0 && sy < 3 && sx >= 0 && sx < 3;
          expect(at(out, 0, y, x)).toBe(inside ? at(img, 0, sy, sx) : -1);
        }
      }
    }
    expect(seen.size).toBe(9);
  });

  it('centerCrop and pad match PyTorch placement', () => {
    const img = ramp(1, 5, 6);
    const c = data.centerCrop(img, [3, 3]);
    // torchvision: top = round((5-3)/2) = 1, left = round((6-3)/2) = round(1.5) = 2
    expect(Array.from(c.data)).toEqual([12, 13, 14, 22, 23, 24, 32, 33, 34]);
    const p = data.pad(ramp(1, 1, 2), 1, 7);
    expect([p.height, p.width]).toEqual([3, 4]);
    expect(Array.from(p.data)).toEqual([7, 7, 7, 7, 7, 0, 1, 7, 7, 7, 7, 7]);
  });

  it('rejects bad sizes and options with SimdnnError', () => {
    const img = ramp(1, 4, 4);
    expect(() => data.randomCrop(img, 5)).toThrow(/randomCrop: size \[5,5\] is larger than the padded image 4x4/);
    expect(() => data.randomCrop(img, 0)).toThrow(SimdnnError);
    expect(() => data.randomCrop(img, 2, { paddding: 1 } as never)).toThrow(/unknown option 'paddding'/);
    expect(() => data.centerCrop({ data: new Float32Array(3), channels: 1, height: 2, width: 2 }, 1)).toThrow(/img is 1x2x2 but holds 3 values/);
  });
});

describe('horizontalFlip', () => {
  it('mirrors each row of each channel', () => {
    const out = data.horizontalFlip(ramp(2, 2, 3), { p: 1 });
    expect(Array.from(out.data)).toEqual([2, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110]);
    const same = ramp(2, 2, 3);
    expect(data.horizontalFlip(same, { p: 0 })).toBe(same);
  });
  it('flips with probability p, repeatably from the seed', () => {
    const img = ramp(1, 1, 2);
    const rng = new Rng(11);
    let flips = 0;
    for (let i = 0; i < 10000; i++) if (data.horizontalFlip(img, { rng, p: 0.3 }) !== img) flips++;
    expect(Math.abs(flips - 3000)).toBeLessThan(200);
    const r = new Rng(4);
    const expected = r.uniform() < 0.5;
    expect(data.horizontalFlip(img, { seed: 4 }) !== img).toBe(expected);
    expect(() => data.horizontalFlip(img, { p: 2 })).toThrow(/horizontalFlip: p must be in \[0, 1\]/);
  });
});

describe('normalize', () => {
  it('subtracts the mean and divides by the std per channel', () => {
    const out = data.normalize(ramp(2, 1, 2), [1, 100], [2, 4]);
    expect(Array.from(out.data)).toEqual([-0.5, 0, 0, 0.25]);
    expect(() => data.normalize(ramp(2, 1, 2), [1], [1, 1])).toThrow(/mean must have one value per channel \(2\)/);
    expect(() => data.normalize(ramp(1, 1, 2), 0, 0)).toThrow(/std must be finite and non-zero/);
  });

  it("normalize(mean, std) (API.md's form) returns the transform", () => {
    const t = data.normalize([1, 100], [2, 4]);
    expect(Array.from(t(ramp(2, 1, 2)).data)).toEqual([-0.5, 0, 0, 0.25]);
    expect(() => t(ramp(3, 1, 2))).toThrow(/normalize: mean must have one value per channel \(3\)/);
    expect(() => data.normalize([0.5], [0])).toThrow(/normalize: std must be finite and non-zero/);
    expect(() => data.normalize(NaN, 1)).toThrow(/normalize: mean must be finite/);
  });
});

describe('resize', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/data/resize.json', import.meta.url), 'utf8')) as {
    cases: { input: number[]; shape: [number, number, number]; size: number; outShape: number[]; output: number[] }[];
  };
  it('matches PyTorch bilinear (align_corners=False) and torchvision shorter-side sizes', () => {
    expect(fx.cases.length).toBe(4);
    for (const c of fx.cases) {
      const [C, H, W] = c.shape;
      const out = data.resize(data.image(C, H, W, Float32Array.from(c.input)), c.size);
      expect([out.channels, out.height, out.width]).toEqual(c.outShape);
      expect(maxRelErr(out.data, c.output, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    }
  });
  it('rejects a non-positive size', () => {
    expect(() => data.resize(ramp(1, 2, 2), 0)).toThrow(/resize: size must be a positive integer/);
  });
});
