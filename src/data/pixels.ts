// Decoded 8-bit pixels to the pipeline's CHW float images, and the checks every
// decoder shares: Node's (sharp, jpeg-js/pngjs in ./node/) and the browser's
// (createImageBitmap + OffscreenCanvas, blob-images.ts). No Node built-ins here.
import { SimdnnError } from '../errors.js';
import { byteImage } from './byte-image.js';
import type { Image } from './image.js';

/**
 * Interleaved 8-bit pixels (`stride` bytes each, RGB first) as a CHW image in
 * [0, 1] (byte / 255) whose floats are made when first read (byte-image.ts:
 * crops, flips, PCA colour and normalize work on the bytes until then): RGB,
 * or gray (ITU-R 601 luma rounded to a byte, exactly as PIL's convert('L'))
 * when `channels` is 1. Every decoder (sharp, jpeg-js, the browser's canvas) ends here.
 */
export function pixelsToImage(px: Uint8Array, stride: number, width: number, height: number, channels: 1 | 3, gray = false): Image {
  // One gray byte per pixel: R = G = B, and PIL's luma of (v, v, v) is v.
  if (gray) return byteImage(px, stride, channels, height, width);
  if (channels === 3) return byteImage(px, stride, 3, height, width);
  // PIL's fixed-point ITU-R 601 luma (Convert.c: L24 = 19595 R + 38470 G + 7471 B, rounded): the same bytes as convert('L').
  const plane = width * height;
  const luma = new Uint8Array(plane);
  for (let i = 0, s = 0; i < plane; i++, s += stride) luma[i] = (px[s] * 19595 + px[s + 1] * 38470 + px[s + 2] * 7471 + 0x8000) >>> 16;
  return byteImage(luma, 1, 1, height, width);
}

/** The file's format from its first bytes ('png', 'jpeg'), or throws naming the file. */
export function sniffFormat(bytes: Uint8Array, path: string, op = 'readImage'): 'png' | 'jpeg' {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  throw new SimdnnError(op, `${path}: not a PNG or JPEG file (starts with ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing: empty file'})`);
}

/** A decoder's message on one line (libvips' span several). */
export function firstLine(msg: string): string {
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
}
