import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { SimdnnError } from '../../errors.js';
import type { Image } from '../image.js';
import { firstLine, pixelsToImage, sniffFormat } from '../pixels.js';

// Shared with the browser decoder (../blob-images.ts): re-exported for the Node readers.
export { firstLine, pixelsToImage, sniffFormat };

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
  const format = sniffFormat(bytes, path, op);
  try {
    if (format === 'png') {
      const png = pngjs.PNG.sync.read(bytes);
      ({ width, height } = png);
      rgba = png.data;
    } else {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    }
  } catch (e) {
    if (e instanceof SimdnnError) throw e;
    throw new SimdnnError(op, `${path}: corrupt ${format === 'png' ? 'PNG' : 'JPEG'} (${firstLine((e as Error).message ?? String(e))})`);
  }
  if (!(width > 0 && height > 0) || rgba.length < width * height * 4) throw new SimdnnError(op, `${path}: decoded to no pixels (${width}x${height})`);
  return pixelsToImage(rgba, 4, width, height, channels);
}

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}
