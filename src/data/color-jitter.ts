import { check } from '../errors.js';
import type { Rng } from '../random.js';
import { allocPixels } from './scratch.js';
import { grayOf } from './grayscale.js';
import { checkImage, checkKeys, rngOf, type Image, type RandomOptions } from './image.js';

// torchvision's tensor formulas (transforms/_functional_tensor.py), step by step
// in float32 (Math.fround) as torch computes them on a float image in [0, 1].
const f = Math.fround;
const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
/** _blend: clamp(ratio·a + (1 − ratio)·b, 0, 1). */
const blend = (a: number, b: number, ratio: number) => clamp01(f(f(ratio * a) + f(f(1 - ratio) * b)));

function map(img: Image, fn: (v: number, i: number) => number): Image {
  const out = allocPixels(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(img.data[i], i);
  return { data: out, channels: img.channels, height: img.height, width: img.width };
}

/** torchvision adjust_brightness: clamp(factor·x, 0, 1). */
export function adjustBrightness(img: Image, factor: number): Image {
  checkImage(img, 'adjustBrightness');
  check(factor >= 0, 'adjustBrightness', `factor must be non-negative, got ${factor}`);
  return map(img, (v) => blend(v, 0, factor));
}

/** torchvision adjust_contrast: blend with the mean of the image's gray (of the one channel for gray images). */
export function adjustContrast(img: Image, factor: number): Image {
  checkImage(img, 'adjustContrast');
  check(factor >= 0, 'adjustContrast', `factor must be non-negative, got ${factor}`);
  const plane = img.height * img.width, d = img.data;
  let sum = 0;
  for (let i = 0; i < plane; i++) sum += img.channels === 3 ? grayOf(d[i], d[plane + i], d[2 * plane + i]) : d[i];
  const mean = f(sum / plane);
  return map(img, (v) => blend(v, mean, factor));
}

/** torchvision adjust_saturation: blend with the pixel's gray (a gray image is returned unchanged). */
export function adjustSaturation(img: Image, factor: number): Image {
  checkImage(img, 'adjustSaturation');
  check(factor >= 0, 'adjustSaturation', `factor must be non-negative, got ${factor}`);
  if (img.channels === 1) return img;
  const plane = img.height * img.width, d = img.data;
  return map(img, (v, i) => {
    const p = i % plane;
    return blend(v, grayOf(d[p], d[plane + p], d[2 * plane + p]), factor);
  });
}

/** torchvision adjust_hue: RGB → HSV, h ← (h + factor) mod 1, → RGB (a gray image is returned unchanged). */
export function adjustHue(img: Image, factor: number): Image {
  checkImage(img, 'adjustHue');
  check(factor >= -0.5 && factor <= 0.5, 'adjustHue', `factor must be in [-0.5, 0.5], got ${factor}`);
  if (img.channels === 1) return img;
  check(img.channels === 3, 'adjustHue', () => `img must have 1 or 3 channels, got ${img.channels}`);
  const plane = img.height * img.width, d = img.data;
  const out = allocPixels(d.length);
  for (let i = 0; i < plane; i++) {
    const r = d[i], g = d[plane + i], b = d[2 * plane + i];
    // _rgb2hsv
    const maxc = Math.max(r, g, b), minc = Math.min(r, g, b);
    const eqc = maxc === minc;
    const cr = f(maxc - minc);
    const s = f(cr / (eqc ? 1 : maxc));
    const div = eqc ? 1 : cr;
    const rc = f(f(maxc - r) / div), gc = f(f(maxc - g) / div), bc = f(f(maxc - b) / div);
    const hr = maxc === r ? f(bc - gc) : 0;
    const hg = maxc === g && maxc !== r ? f(f(2 + rc) - bc) : 0;
    const hb = maxc !== g && maxc !== r ? f(f(4 + gc) - rc) : 0;
    let h = f(f(hr + hg) + hb);
    h = fmod1(f(f(h / 6) + 1));
    h = mod1(f(h + f(factor)));
    // _hsv2rgb
    const h6 = f(h * 6);
    const k = Math.floor(h6);
    const fr = f(h6 - k);
    const v = maxc;
    const p = clamp01(f(v * f(1 - s)));
    const q = clamp01(f(v * f(1 - f(s * fr))));
    const t = clamp01(f(v * f(1 - f(s * f(1 - fr)))));
    const [R, G, B] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][((k % 6) + 6) % 6];
    out[i] = R;
    out[plane + i] = G;
    out[2 * plane + i] = B;
  }
  return { data: out, channels: 3, height: img.height, width: img.width };
}

/** C's fmod(x, 1) for x ≥ 0 (torch.fmod). */
const fmod1 = (x: number) => f(x - Math.trunc(x));
/** Python's / torch's remainder x % 1 (non-negative). */
const mod1 = (x: number) => f(x - Math.floor(x));

export interface ColorJitterOptions extends RandomOptions {
  /** Factor uniform in [max(0, 1 − b), 1 + b], or the range [lo, hi]. */
  brightness?: number | [number, number];
  contrast?: number | [number, number];
  saturation?: number | [number, number];
  /** Shift uniform in [−h, h] (h ≤ 0.5), or the range. */
  hue?: number | [number, number];
}

/** The drawn order (a permutation of 0..3: brightness, contrast, saturation, hue) and factors (null: not jittered). */
export interface ColorJitterParams {
  order: number[];
  factors: (number | null)[];
}

function range(v: number | [number, number] | undefined, op: string, name: string, center: number, bound: [number, number]): [number, number] | null {
  if (v === undefined) return null;
  let r: [number, number];
  if (typeof v === 'number') {
    check(v >= 0, op, `${name} must be non-negative, got ${v}`);
    r = [center - v, center + v];
    if (center === 1) r[0] = Math.max(r[0], 0); // torchvision: [max(0, 1 − v), 1 + v]; hue's ±v must fit in [−0.5, 0.5]
  } else {
    check(Array.isArray(v) && v.length === 2 && v[0] <= v[1], op, () => `${name} must be a number or [lo, hi], got ${JSON.stringify(v)}`);
    r = [v[0], v[1]];
  }
  check(r[0] >= bound[0] && r[1] <= bound[1], op, () => `${name} range [${r}] must lie in [${bound}]`);
  return r[0] === center && r[1] === center ? null : r;
}

/**
 * torchvision's ColorJitter.get_params: a random order of the four
 * adjustments (Fisher–Yates) and each factor uniform in its range, drawn
 * in that order (brightness, contrast, saturation, hue).
 */
export function colorJitterParams(opts: Omit<ColorJitterOptions, 'seed' | 'rng'>, rng: Rng, op = 'colorJitter'): ColorJitterParams {
  const ranges = [
    range(opts.brightness, op, 'brightness', 1, [0, Infinity]),
    range(opts.contrast, op, 'contrast', 1, [0, Infinity]),
    range(opts.saturation, op, 'saturation', 1, [0, Infinity]),
    range(opts.hue, op, 'hue', 0, [-0.5, 0.5]),
  ];
  const order = [0, 1, 2, 3];
  for (let i = 3; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const factors = ranges.map((r) => (r === null ? null : r[0] + (r[1] - r[0]) * rng.uniform()));
  return { order, factors };
}

const ADJUST = [adjustBrightness, adjustContrast, adjustSaturation, adjustHue];

/** The adjustments of `params` applied in its order (torchvision ColorJitter.forward). */
export function applyColorJitter(img: Image, params: ColorJitterParams): Image {
  let x = img;
  for (const k of params.order) {
    const factor = params.factors[k];
    if (factor !== null) x = ADJUST[k](x, factor);
  }
  return x;
}

/** Random brightness, contrast, saturation and hue (torchvision's ColorJitter). */
export function colorJitter(img: Image, opts: ColorJitterOptions = {}): Image {
  const op = 'colorJitter';
  checkKeys(opts, ['seed', 'rng', 'brightness', 'contrast', 'saturation', 'hue'], op);
  checkImage(img, op);
  return applyColorJitter(img, colorJitterParams(opts, rngOf(opts, op), op));
}
