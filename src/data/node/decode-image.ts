import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { SimdnnError } from '../../errors.js';
import type { Image } from '../image.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/**
 * Decodes a PNG or JPEG file (by its bytes' signature, not its name) to a CHW
 * float image in [0, 1]: RGB (alpha dropped), or gray (ITU-R 601 luma, as PIL's
 * convert('L')) when `channels` is 1.
 */
export function decodeImageFile(path: string, channels: 1 | 3 = 3): Image {
  const op = 'readImage';
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SimdnnError(op, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let rgba: Uint8Array, width: number, height: number;
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  try {
    if (isPng) {
      const png = pngjs.PNG.sync.read(bytes);
      ({ width, height } = png);
      rgba = png.data;
    } else if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      throw new SimdnnError(op, `${path}: not a PNG or JPEG file (starts with ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing: empty file'})`);
    }
  } catch (e) {
    if (e instanceof SimdnnError) throw e;
    throw new SimdnnError(op, `${path}: corrupt ${isPng ? 'PNG' : 'JPEG'} (${(e as Error).message ?? String(e)})`);
  }
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) throw new SimdnnError(op, `${path}: decoded to no pixels (${width}x${height})`);
  const plane = width * height;
  const data = new Float32Array(channels * plane);
  if (channels === 3) {
    for (let i = 0; i < plane; i++) {
      data[i] = rgba[4 * i] / 255;
      data[plane + i] = rgba[4 * i + 1] / 255;
      data[2 * plane + i] = rgba[4 * i + 2] / 255;
    }
  } else {
    for (let i = 0; i < plane; i++) data[i] = Math.round((rgba[4 * i] * 299 + rgba[4 * i + 1] * 587 + rgba[4 * i + 2] * 114) / 1000) / 255;
  }
  return { data, channels, height, width };
}

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}
