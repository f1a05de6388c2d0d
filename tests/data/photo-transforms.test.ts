import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as data from '../../src/data/index.js';
import { Rng } from '../../src/random.js';
import { roundHalfEven } from '../../src/data/py-round.js';

// torchvision's transforms on fixed parameters (scripts/fixtures/transforms.py).
const FX = JSON.parse(readFileSync('tests/fixtures/data/transforms.json', 'utf8'));
const img = (values: number[], shape: number[]): data.Image => data.image(shape[0], shape[1], shape[2], Float32Array.from(values));
const x = () => img(FX.x, FX.xShape);
const g = () => img(FX.g, FX.gShape);

/** Largest |a − b|, b read as float32 (the fixture prints 9 significant digits, which float32 round-trips through). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - Math.fround(b[i])));
  return m;
}

describe('torchvision transforms given their parameters', () => {
  it('roundHalfEven is Python round()', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, 3].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, 3, 3]);
  });

  it('resizedCrop: crop box, then bilinear resize (antialias=False)', () => {
    for (const c of FX.resizedCrop) {
      const [top, left, height, width] = c.box;
      const y = data.resizedCrop(x(), { top, left, height, width }, c.size);
      expect([y.channels, y.height, y.width]).toEqual(c.shape);
      expect(maxDiff(y.data, c.y)).toBeLessThan(1e-6);
    }
  });

  it('centerCrop places the window with Python rounding and pads a smaller image as torchvision', () => {
    for (const c of FX.centerCrop) {
      const y = data.centerCrop(x(), c.size);
      expect([y.channels, y.height, y.width]).toEqual(c.shape);
      expect(Array.from(y.data)).toEqual(c.y.map(Math.fround));
    }
  });

  it("randomResizedCropBox falls back to torchvision's centre box when no try fits", () => {
    for (const c of FX.fallback) {
      const b = data.randomResizedCropBox(c.height, c.width, [2, 3], c.ratio, new Rng(1));
      expect([b.top, b.left, b.height, b.width]).toEqual(c.box);
    }
  });

  it('adjustBrightness/Contrast/Saturation/Hue as the tensor formulas (RGB and gray)', () => {
    const fns = { brightness: data.adjustBrightness, contrast: data.adjustContrast, saturation: data.adjustSaturation, hue: data.adjustHue } as const;
    for (const c of FX.adjust) {
      const fn = fns[c.fn as keyof typeof fns];
      expect(maxDiff(fn(x(), c.factor).data, c.y), `${c.fn} ${c.factor}`).toBeLessThan(2e-6);
      expect(maxDiff(fn(g(), c.factor).data, c.gray), `${c.fn} ${c.factor} gray`).toBeLessThan(2e-6);
    }
  });

  it('applyColorJitter applies the drawn order and factors', () => {
    const y = data.applyColorJitter(x(), { order: FX.jitter.order, factors: FX.jitter.factors });
    expect(maxDiff(y.data, FX.jitter.y)).toBeLessThan(2e-6);
  });

  it('rotate: nearest neighbour on the affine grid, zero (or fill) outside', () => {
    for (const c of FX.rotate) {
      expect(Array.from(data.rotate(x(), c.angle).data), `angle ${c.angle}`).toEqual(c.y.map(Math.fround));
      expect(Array.from(data.rotate(g(), c.angle, 0.5).data), `angle ${c.angle} gray`).toEqual(c.gray.map(Math.fround));
    }
  });

  it('grayscale, erase, verticalFlip, fiveCrop, tenCrop', () => {
    expect(maxDiff(data.grayscale(x()).data, FX.grayscale.one)).toBe(0);
    expect(maxDiff(data.grayscale(x(), 3).data, FX.grayscale.three)).toBe(0);
    const [top, left, height, width] = FX.erase.box;
    expect(maxDiff(data.erase(x(), { top, left, height, width }, FX.erase.value).data, FX.erase.y)).toBe(0);
    expect(maxDiff(data.verticalFlip(x(), { p: 1 }).data, FX.vflip)).toBe(0);
    expect(data.fiveCrop(x(), [5, 7]).map((c) => maxDiff(c.data, FX.fiveCrop.shift()))).toEqual([0, 0, 0, 0, 0]);
    expect(data.tenCrop(x(), [5, 7]).map((c) => maxDiff(c.data, FX.tenCrop.shift()))).toEqual(new Array(10).fill(0));
    expect(data.tenCrop(x(), [6, 4], true).map((c) => maxDiff(c.data, FX.tenCropVertical.shift()))).toEqual(new Array(10).fill(0));
  });
});

describe('the random draws', () => {
  it("randomResizedCrop boxes stay inside, cover 8-100 % of the area at 3/4-4/3 aspect (up to rounding), distributed as torchvision's", () => {
    const rng = new Rng(7);
    const areas: number[] = [], aspects: number[] = [], tops: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const b = data.randomResizedCropBox(375, 500, [0.08, 1], [3 / 4, 4 / 3], rng);
      expect(b.top >= 0 && b.left >= 0 && b.top + b.height <= 375 && b.left + b.width <= 500).toBe(true);
      const area = (b.height * b.width) / (375 * 500), aspect = b.width / b.height;
      expect(area).toBeGreaterThan(0.075);
      expect(area).toBeLessThanOrEqual(1);
      expect(aspect).toBeGreaterThan(0.74);
      expect(aspect).toBeLessThan(1.35);
      areas.push(area);
      aspects.push(aspect);
      tops.push(b.top);
    }
    expect(Math.min(...areas)).toBeLessThan(0.1);
    expect(Math.max(...areas)).toBeGreaterThan(0.9);
    // Means of 4,000 draws each (standard errors about 0.004, 0.002, 1): ours vs torchvision's get_params.
    const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
    expect(Math.abs(mean(areas) - FX.rrcStats.meanArea)).toBeLessThan(0.025);
    expect(Math.abs(mean(aspects) - FX.rrcStats.meanAspect)).toBeLessThan(0.012);
    expect(Math.abs(mean(tops) - FX.rrcStats.meanTop)).toBeLessThan(6);
  });

  it('the same seed gives the same augmentation; Compose threads one rng through', () => {
    const t = data.compose(
      (im, rng) => data.randomResizedCrop(im, 8, { rng }),
      (im, rng) => data.colorJitter(im, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, rng }),
      (im, rng) => data.randomRotation(im, 10, { rng }),
      (im, rng) => data.verticalFlip(im, { rng }),
      (im, rng) => data.randomErasing(im, { rng, p: 1 }),
    );
    const a = t(x(), new Rng(3)), b = t(x(), new Rng(3)), c = t(x(), new Rng(4));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect([a.channels, a.height, a.width]).toEqual([3, 8, 8]);
  });

  it('colorJitter factors lie in their ranges, the order is a permutation; randomErasing boxes are smaller than the image', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 500; i++) {
      const p = data.colorJitterParams({ brightness: 0.4, contrast: [0.5, 0.6], hue: 0.1 }, rng);
      expect([...p.order].sort()).toEqual([0, 1, 2, 3]);
      expect(p.factors[0]! >= 0.6 && p.factors[0]! <= 1.4).toBe(true);
      expect(p.factors[1]! >= 0.5 && p.factors[1]! <= 0.6).toBe(true);
      expect(p.factors[2]).toBeNull();
      expect(Math.abs(p.factors[3]!)).toBeLessThanOrEqual(0.1);
      const b = data.randomErasingBox(20, 30, [0.02, 0.33], [0.3, 3.3], rng);
      if (b) expect(b.height < 20 && b.width < 30 && b.top + b.height <= 20 && b.left + b.width <= 30).toBe(true);
    }
  });

  it('bad options are SimdnnErrors naming the op', () => {
    expect(() => data.randomResizedCrop(x(), 4, { scale: [0.5, 0.1] })).toThrow(/randomResizedCrop: scale must be \[low, high\]/);
    expect(() => data.colorJitter(x(), { hue: 0.7 })).toThrow(/colorJitter: hue range \[-0.7,0.7\] must lie in/);
    expect(() => data.randomRotation(x(), [5, 1])).toThrow(/randomRotation: degrees/);
    expect(() => data.randomErasing(x(), { p: 2 })).toThrow(/randomErasing: p must be in \[0, 1\]/);
    expect(() => data.fiveCrop(x(), 14)).toThrow(/fiveCrop: size \[14,14\] is larger than the image 13x17/);
    expect(() => data.colorJitter(x(), { brightnes: 1 } as never)).toThrow(/unknown option 'brightnes'/);
  });
});
