import { check } from '../errors.js';
import type { Rng } from '../random.js';
import { cropAtPadded } from './crop.js';
import { checkImage, checkKeys, pair, rngOf, type Image, type RandomOptions } from './image.js';
import { roundHalfEven } from './py-round.js';
import { resizeTo } from './resize.js';

/** A crop box: rows top..top+height, columns left..left+width. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface RandomResizedCropOptions extends RandomOptions {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1]: GoogLeNet's 8-100 %). */
  scale?: [number, number];
  /** Range of the crop's width/height (default [3/4, 4/3]), drawn log-uniformly. */
  ratio?: [number, number];
}

function checkRange(v: unknown, op: string, name: string): [number, number] {
  const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x > 0 && Number.isFinite(x)) && v[0] <= v[1];
  check(ok, op, () => `${name} must be [low, high] with 0 < low <= high, got ${JSON.stringify(v)}`);
  return v as [number, number];
}

/**
 * torchvision's RandomResizedCrop.get_params: up to 10 tries of an area
 * fraction uniform in `scale` and a log-uniform aspect ratio in `ratio`,
 * sizes rounded as Python does; the first box that fits is placed uniformly
 * (top drawn first). If none fits, the centre crop of the whole image clamped
 * to `ratio`. Draws come from `rng` (not torch's generator: the same rules, other numbers).
 */
export function randomResizedCropBox(height: number, width: number, scale: [number, number], ratio: [number, number], rng: Rng): Box {
  const area = height * width;
  const logLo = Math.log(ratio[0]), logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + (scale[1] - scale[0]) * rng.uniform());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng.uniform());
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width, h = height;
  if (inRatio < ratio[0]) h = roundHalfEven(w / ratio[0]);
  else if (inRatio > ratio[1]) w = roundHalfEven(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * torchvision's resized_crop: the `box` of `img` resized to `size` (bilinear,
 * half-pixel centres, no antialiasing: torchvision's tensor resize with antialias=False).
 */
export function resizedCrop(img: Image, box: Box, size: number | [number, number]): Image {
  checkImage(img, 'resizedCrop');
  const [h, w] = pair(size, 'resizedCrop');
  for (const k of ['top', 'left', 'height', 'width'] as const) check(Number.isInteger(box?.[k]), 'resizedCrop', `box.${k} must be an integer, got ${String(box?.[k])}`);
  check(box.height > 0 && box.width > 0, 'resizedCrop', () => `box must be non-empty, got ${box.height}x${box.width}`);
  return resizeTo(cropAtPadded(img, box.top, box.left, box.height, box.width, 0), h, w);
}

/**
 * A random crop of random size and aspect ratio, resized to `size`
 * (Inception/GoogLeNet's augmentation, torchvision's RandomResizedCrop).
 */
export function randomResizedCrop(img: Image, size: number | [number, number], opts: RandomResizedCropOptions = {}): Image {
  const op = 'randomResizedCrop';
  checkKeys(opts, ['seed', 'rng', 'scale', 'ratio'], op);
  checkImage(img, op);
  const scale = checkRange(opts.scale ?? [0.08, 1], op, 'scale');
  const ratio = checkRange(opts.ratio ?? [3 / 4, 4 / 3], op, 'ratio');
  return resizedCrop(img, randomResizedCropBox(img.height, img.width, scale, ratio, rngOf(opts, op)), size);
}
