import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { mapPendingChannels, pendingBytes } from './byte-image.js';
import { checkImage, type Image } from './image.js';

type Stats = number | readonly number[];

/**
 * (x - mean[c]) / std[c] per channel, as torchvision's Normalize. A single
 * number applies to every channel. `normalize(mean, std)` (API.md's form, like
 * torchvision's `Normalize(mean, std)`) returns the transform `img => Image`,
 * usable as a DataLoader transform; `normalize(img, mean, std)` applies it now.
 */
export function normalize(mean: Stats, std: Stats): (img: Image) => Image;
export function normalize(img: Image, mean: Stats, std: Stats): Image;
export function normalize(a: Image | Stats, b: Stats, c?: Stats): Image | ((img: Image) => Image) {
  if (typeof a === 'number' || Array.isArray(a)) {
    const mean = a as Stats, std = b;
    const asList = (v: Stats) => (typeof v === 'number' ? [v] : Array.isArray(v) ? v : [NaN]);
    check(c === undefined, 'normalize', 'takes (mean, std) or (img, mean, std)');
    check(asList(mean).every(Number.isFinite), 'normalize', () => `mean must be finite, got ${JSON.stringify(mean)}`);
    check(asList(std).every((v) => Number.isFinite(v) && v !== 0), 'normalize', () => `std must be finite and non-zero, got ${JSON.stringify(std)}`);
    return (img: Image) => normalizeImage(img, mean, std);
  }
  return normalizeImage(a as Image, b, c as Stats);
}

function normalizeImage(img: Image, mean: Stats, std: Stats): Image {
  const op = 'normalize';
  checkImage(img, op);
  const C = img.channels;
  const m = typeof mean === 'number' ? new Array<number>(C).fill(mean) : mean;
  const s = typeof std === 'number' ? new Array<number>(C).fill(std) : std;
  check(Array.isArray(m) && m.length === C, op, () => `mean must have one value per channel (${C}), got ${JSON.stringify(mean)}`);
  check(Array.isArray(s) && s.length === C, op, () => `std must have one value per channel (${C}), got ${JSON.stringify(std)}`);
  check(m.every(Number.isFinite), op, () => `mean must be finite, got ${JSON.stringify(mean)}`);
  check(s.every((v) => Number.isFinite(v) && v !== 0), op, () => `std must be finite and non-zero, got ${JSON.stringify(std)}`);
  // Pixels still as bytes: normalize each channel's byte → float table instead (the same float32 results).
  const pixels = pendingBytes(img);
  if (pixels !== undefined) return mapPendingChannels(img, pixels, (v, c) => (v - m[c]) / s[c]);
  const plane = img.height * img.width;
  const out = allocPixels(img.data.length);
  for (let c = 0; c < C; c++) {
    const mc = m[c], sc = s[c];
    for (let i = c * plane, e = i + plane; i < e; i++) out[i] = (img.data[i] - mc) / sc;
  }
  return { data: out, channels: C, height: img.height, width: img.width };
}
