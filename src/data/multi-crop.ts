import { check } from '../errors.js';
import { centerCrop, cropAtPadded } from './crop.js';
import { horizontalFlip, verticalFlip } from './flip.js';
import { checkImage, pair, type Image } from './image.js';

/**
 * torchvision's five_crop: the four corners and the centre, in the order
 * top-left, top-right, bottom-left, bottom-right, centre.
 */
export function fiveCrop(img: Image, size: number | [number, number]): Image[] {
  checkImage(img, 'fiveCrop');
  const [h, w] = pair(size, 'fiveCrop');
  const { height: H, width: W } = img;
  check(h <= H && w <= W, 'fiveCrop', () => `size [${h},${w}] is larger than the image ${H}x${W}`);
  const at = (top: number, left: number) => copy(cropAtPadded(img, top, left, h, w, 0));
  return [at(0, 0), at(0, W - w), at(H - h, 0), at(H - h, W - w), copy(centerCrop(img, [h, w]))];
}

/**
 * torchvision's ten_crop: the five crops, then the five of the image flipped
 * left-right (or upside down with `vertical`): AlexNet's test-time averaging.
 */
export function tenCrop(img: Image, size: number | [number, number], vertical = false): Image[] {
  const first = fiveCrop(img, size);
  const flipped = vertical ? verticalFlip(img, { p: 1, seed: 0 }) : horizontalFlip(img, { p: 1, seed: 0 });
  return [...first, ...fiveCrop(flipped, size)];
}

// The crops outlive the DataLoader's per-sample scratch memory: own copies.
const copy = (img: Image): Image => ({ ...img, data: img.data.slice() });
