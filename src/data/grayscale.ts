import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { checkImage, type Image } from './image.js';

/**
 * torchvision's rgb_to_grayscale on float tensors: 0.2989 R + 0.587 G + 0.114 B
 * (in float32), as 1 channel or repeated to 3 (`channels`). A 1-channel image is returned as is (or repeated).
 */
export function grayscale(img: Image, channels: 1 | 3 = 1): Image {
  checkImage(img, 'grayscale');
  check(channels === 1 || channels === 3, 'grayscale', `channels must be 1 or 3, got ${String(channels)}`);
  check(img.channels === 1 || img.channels === 3, 'grayscale', () => `img must have 1 or 3 channels, got ${img.channels}`);
  const plane = img.height * img.width, d = img.data;
  const out = allocPixels(channels * plane);
  if (img.channels === 1) out.set(d);
  else for (let i = 0; i < plane; i++) out[i] = grayOf(d[i], d[plane + i], d[2 * plane + i]);
  for (let c = 1; c < channels; c++) out.copyWithin(c * plane, 0, plane);
  return { data: out, channels, height: img.height, width: img.width };
}

const f = Math.fround;
const KR = f(0.2989), KG = f(0.587), KB = f(0.114);
/** One pixel's gray as torch computes it in float32: ((0.2989·r + 0.587·g) + 0.114·b), each step rounded. */
export function grayOf(r: number, g: number, b: number): number {
  return f(f(f(KR * r) + f(KG * g)) + f(KB * b));
}
