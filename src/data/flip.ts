import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { mirrorPending, pendingBytes } from './byte-image.js';
import { checkImage, checkKeys, rngOf, type Image, type RandomOptions } from './image.js';

export interface FlipOptions extends RandomOptions {
  /** Probability of flipping (default 0.5; 1 always flips, 0 never). */
  p?: number;
}

/** Draws once (even when p is 0 or 1, so a pipeline's later draws do not shift) and mirrors with `mirror` if it flips. */
function randomFlip(img: Image, opts: FlipOptions, op: string, mirror: (img: Image, out: Float32Array) => void): Image {
  checkKeys(opts, ['seed', 'rng', 'p'], op);
  checkImage(img, op);
  const p = opts.p ?? 0.5;
  check(typeof p === 'number' && p >= 0 && p <= 1, op, `p must be in [0, 1], got ${String(p)}`);
  const flip = rngOf(opts, op).uniform() < p;
  if (!flip) return img;
  const pixels = pendingBytes(img);
  if (pixels !== undefined && op === 'horizontalFlip') return mirrorPending(img, pixels);
  const out = allocPixels(img.data.length);
  mirror(img, out);
  return { data: out, channels: img.channels, height: img.height, width: img.width };
}

/**
 * Mirrors the image left-right with probability `p` (one uniform draw per call).
 * Returns the input itself when it does not flip.
 */
export function horizontalFlip(img: Image, opts: FlipOptions = {}): Image {
  return randomFlip(img, opts, 'horizontalFlip', ({ channels: C, height: H, width: W, data }, out) => {
    for (let r = 0; r < C * H; r++) {
      const o = r * W;
      for (let x = 0; x < W; x++) out[o + x] = data[o + W - 1 - x];
    }
  });
}

/** Mirrors the image upside down with probability `p` (torchvision's RandomVerticalFlip; one draw per call). */
export function verticalFlip(img: Image, opts: FlipOptions = {}): Image {
  return randomFlip(img, opts, 'verticalFlip', ({ channels: C, height: H, width: W, data }, out) => {
    for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) out.set(data.subarray((c * H + H - 1 - y) * W, (c * H + H - y) * W), (c * H + y) * W);
  });
}
