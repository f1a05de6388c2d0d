import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { cropPending, pendingBytes } from './byte-image.js';
import { checkImage, checkKeys, pair, rngOf, type Image, type RandomOptions } from './image.js';
import { roundHalfEven } from './py-round.js';

/**
 * The `h`x`w` window at (top, left) of `img` padded by `padding` pixels of
 * `fill` on every side; reads outside the padded image are not allowed.
 */
function cropAt(img: Image, top: number, left: number, h: number, w: number, padding: number, fill: number): Image {
  const { channels: C, height: H, width: W } = img;
  // Source rows/columns of the window, clipped to the real pixels.
  const y0 = Math.max(0, top - padding), y1 = Math.min(H, top - padding + h);
  const x0 = Math.max(0, left - padding), x1 = Math.min(W, left - padding + w);
  const inside = y1 - y0 === h && x1 - x0 === w;
  const pixels = inside ? pendingBytes(img) : undefined;
  if (pixels !== undefined) return cropPending(img, pixels, y0, x0, h, w);
  const data = img.data;
  const out = allocPixels(C * h * w);
  if (!inside) out.fill(fill); // the window reaches into the padding
  for (let c = 0; c < C; c++) {
    for (let y = y0; y < y1; y++) {
      const src = (c * H + y) * W;
      const dst = (c * h + (y - top + padding)) * w + (x0 - left + padding) - x0;
      for (let x = x0; x < x1; x++) out[dst + x] = data[src + x]; // a loop: a subarray per row costs more than the copy
    }
  }
  return { data: out, channels: C, height: h, width: w };
}

/**
 * The centre `size` window, placed as torchvision's center_crop: the offset is
 * Python's round((H - h) / 2) (halves to even). A side longer than the image
 * is padded with 0 first, (h - H) // 2 before and the rest after, as torchvision does.
 */
export function centerCrop(img: Image, size: number | [number, number]): Image {
  checkImage(img, 'centerCrop');
  const [h, w] = pair(size, 'centerCrop');
  const offset = (inSize: number, outSize: number) => (outSize > inSize ? -Math.floor((outSize - inSize) / 2) : roundHalfEven((inSize - outSize) / 2));
  return cropAtPadded(img, offset(img.height, h), offset(img.width, w), h, w, 0);
}

/** The `h`x`w` window at (top, left), which may reach outside the image (read as `fill`). */
export function cropAtPadded(img: Image, top: number, left: number, h: number, w: number, fill: number): Image {
  const padding = Math.max(0, -top, -left, top + h - img.height, left + w - img.width);
  return cropAt(img, top + padding, left + padding, h, w, padding, fill);
}

export interface RandomCropOptions extends RandomOptions {
  /** Pixels of `fill` added on every side before cropping (random shifts of a digit). */
  padding?: number;
  fill?: number;
}

/**
 * A `size` window at a uniformly random position (AlexNet: 224x224 patches of
 * 256x256 images; digits: 28x28 of the image padded by 2-4 pixels). The top
 * offset is drawn first, then the left one.
 */
export function randomCrop(img: Image, size: number | [number, number], opts: RandomCropOptions = {}): Image {
  const op = 'randomCrop';
  checkKeys(opts, ['seed', 'rng', 'padding', 'fill'], op);
  checkImage(img, op);
  const [h, w] = pair(size, op);
  const padding = opts.padding ?? 0;
  const fill = opts.fill ?? 0;
  check(Number.isInteger(padding) && padding >= 0, op, `padding must be a non-negative integer, got ${String(padding)}`);
  check(Number.isFinite(fill), op, `fill must be a finite number, got ${String(fill)}`);
  const H = img.height + 2 * padding, W = img.width + 2 * padding;
  check(h <= H && w <= W, op, () => `size [${h},${w}] is larger than the padded image ${H}x${W}`);
  const rng = rngOf(opts, op);
  const top = rng.int(H - h + 1);
  const left = rng.int(W - w + 1);
  return cropAt(img, top, left, h, w, padding, fill);
}

/** `padding` pixels of `fill` on every side (LeNet-5's 32x32 input from 28x28 digits). */
export function pad(img: Image, padding: number, fill = 0): Image {
  checkImage(img, 'pad');
  check(Number.isInteger(padding) && padding >= 0, 'pad', `padding must be a non-negative integer, got ${String(padding)}`);
  check(Number.isFinite(fill), 'pad', `fill must be a finite number, got ${String(fill)}`);
  return cropAt(img, 0, 0, img.height + 2 * padding, img.width + 2 * padding, padding, fill);
}
