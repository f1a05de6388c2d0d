import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { checkImage, type Image } from './image.js';

/**
 * Source index and weight for each output position of a bilinear resize with
 * half-pixel centres (PyTorch's `interpolate(mode='bilinear', align_corners=False)`).
 */
function axis(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), t = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    t[o] = src - lo;
  }
  return { i0, i1, t };
}

/** Bilinear resize to exactly `height` x `width` (no antialiasing, as PyTorch's tensor resize). */
export function resizeTo(img: Image, height: number, width: number): Image {
  checkImage(img, 'resize');
  check(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0, 'resize', `output size must be positive integers, got ${height}x${width}`);
  const { channels: C, height: H, width: W, data } = img;
  if (H === height && W === width) return img; // already that size: nothing to do
  const ys = axis(H, height), xs = axis(W, width);
  const out = allocPixels(C * height * width);
  let o = 0;
  for (let c = 0; c < C; c++) {
    const plane = c * H * W;
    for (let y = 0; y < height; y++) {
      const r0 = plane + ys.i0[y] * W, r1 = plane + ys.i1[y] * W, ty = ys.t[y];
      for (let x = 0; x < width; x++) {
        const a = xs.i0[x], b = xs.i1[x], tx = xs.t[x];
        const top = data[r0 + a] + (data[r0 + b] - data[r0 + a]) * tx;
        const bot = data[r1 + a] + (data[r1 + b] - data[r1 + a]) * tx;
        out[o++] = top + (bot - top) * ty;
      }
    }
  }
  return { data: out, channels: C, height, width };
}

/**
 * Resizes so the shorter side becomes `size`, keeping the aspect ratio (the longer
 * side is floor(size * long / short), as torchvision's Resize(int)).
 */
export function resize(img: Image, size: number): Image {
  checkImage(img, 'resize');
  check(Number.isInteger(size) && size > 0, 'resize', `size must be a positive integer, got ${String(size)}`);
  const { height: H, width: W } = img;
  if (H <= W) return resizeTo(img, size, Math.floor((size * W) / H));
  return resizeTo(img, Math.floor((size * H) / W), size);
}
