import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { checkImage, type Image } from './image.js';

/**
 * (x - mean[c]) / std[c] per channel, as torchvision's Normalize. A single
 * number applies to every channel.
 */
export function normalize(img: Image, mean: number | readonly number[], std: number | readonly number[]): Image {
  const op = 'normalize';
  checkImage(img, op);
  const C = img.channels;
  const m = typeof mean === 'number' ? new Array<number>(C).fill(mean) : mean;
  const s = typeof std === 'number' ? new Array<number>(C).fill(std) : std;
  check(Array.isArray(m) && m.length === C, op, () => `mean must have one value per channel (${C}), got ${JSON.stringify(mean)}`);
  check(Array.isArray(s) && s.length === C, op, () => `std must have one value per channel (${C}), got ${JSON.stringify(std)}`);
  check(m.every(Number.isFinite), op, () => `mean must be finite, got ${JSON.stringify(mean)}`);
  check(s.every((v) => Number.isFinite(v) && v !== 0), op, () => `std must be finite and non-zero, got ${JSON.stringify(std)}`);
  const plane = img.height * img.width;
  const out = allocPixels(img.data.length);
  for (let c = 0; c < C; c++) {
    const mc = m[c], sc = s[c];
    for (let i = c * plane, e = i + plane; i < e; i++) out[i] = (img.data[i] - mc) / sc;
  }
  return { data: out, channels: C, height: img.height, width: img.width };
}
