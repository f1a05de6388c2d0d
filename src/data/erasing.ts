import { check } from '../errors.js';
import type { Rng } from '../random.js';
import { allocPixels } from './scratch.js';
import { checkImage, checkKeys, rngOf, type Image, type RandomOptions } from './image.js';
import { roundHalfEven } from './py-round.js';
import type { Box } from './resized-crop.js';

export interface RandomErasingOptions extends RandomOptions {
  /** Probability of erasing (default 0.5). */
  p?: number;
  /** Range of the erased area as a fraction of the image (default [0.02, 0.33]). */
  scale?: [number, number];
  /** Range of the erased box's height/width (default [0.3, 3.3]), log-uniform. */
  ratio?: [number, number];
  /** The value written into the box (default 0). */
  value?: number;
}

/**
 * torchvision's RandomErasing.get_params: up to 10 tries of an area and a
 * log-uniform aspect (h = round(√(area·r)), w = round(√(area/r))); the first
 * box strictly smaller than the image is placed uniformly (top first). null: no box fits.
 */
export function randomErasingBox(height: number, width: number, scale: [number, number], ratio: [number, number], rng: Rng): Box | null {
  const area = height * width;
  const logLo = Math.log(ratio[0]), logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const erase = area * (scale[0] + (scale[1] - scale[0]) * rng.uniform());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng.uniform());
    const h = roundHalfEven(Math.sqrt(erase * aspect));
    const w = roundHalfEven(Math.sqrt(erase / aspect));
    if (!(h < height && w < width)) continue;
    return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
  }
  return null;
}

/** `box` of every channel set to `value` (torchvision's erase). */
export function erase(img: Image, box: Box, value = 0): Image {
  checkImage(img, 'erase');
  const { channels: C, height: H, width: W } = img;
  check(box.top >= 0 && box.left >= 0 && box.top + box.height <= H && box.left + box.width <= W, 'erase', () => `box ${JSON.stringify(box)} is outside the ${H}x${W} image`);
  const out = allocPixels(img.data.length);
  out.set(img.data);
  for (let c = 0; c < C; c++) for (let y = box.top; y < box.top + box.height; y++) out.fill(value, (c * H + y) * W + box.left, (c * H + y) * W + box.left + box.width);
  return { data: out, channels: C, height: H, width: W };
}

/**
 * With probability `p`, a random box set to `value` (Zhong et al. 2017,
 * torchvision's RandomErasing; applied to the normalized image, as there).
 * The coin is drawn first, then the box.
 */
export function randomErasing(img: Image, opts: RandomErasingOptions = {}): Image {
  const op = 'randomErasing';
  checkKeys(opts, ['seed', 'rng', 'p', 'scale', 'ratio', 'value'], op);
  checkImage(img, op);
  const { p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0 } = opts;
  check(p >= 0 && p <= 1, op, `p must be in [0, 1], got ${String(p)}`);
  check(scale[0] >= 0 && scale[0] <= scale[1] && scale[1] <= 1, op, () => `scale must be [lo, hi] within [0, 1], got ${JSON.stringify(scale)}`);
  check(ratio[0] > 0 && ratio[0] <= ratio[1], op, () => `ratio must be [lo, hi] with 0 < lo <= hi, got ${JSON.stringify(ratio)}`);
  check(Number.isFinite(value), op, `value must be a finite number, got ${String(value)}`);
  const rng = rngOf(opts, op);
  if (!(rng.uniform() < p)) return img;
  const box = randomErasingBox(img.height, img.width, scale, ratio, rng);
  return box === null ? img : erase(img, box, value);
}
