import { check, SimdnnError } from '../errors.js';
import { symmetricEigen3 } from './eigen3.js';
import { allocPixels } from './scratch.js';
import { mapPendingChannels, pendingBytes } from './byte-image.js';
import { checkImage, checkKeys, rngOf, type Image, type RandomOptions } from './image.js';
import type { Dataset } from './dataset.js';

export interface PcaApplyOptions extends RandomOptions {
  /** Standard deviation of the per-image α (AlexNet: 0.1). */
  std?: number;
}

/**
 * AlexNet's colour augmentation (Krizhevsky et al. 2012, §4.1): principal
 * components of the RGB values over the training set; each image gets
 * [p1 p2 p3][α1λ1 α2λ2 α3λ3]ᵀ added to every pixel, αi ~ N(0, std) drawn per image.
 */
export class PcaColorAugment {
  /** Eigenvalues of the RGB covariance, descending. */
  readonly eigenvalues: Float64Array;
  /** Unit eigenvectors p1, p2, p3 as the columns of a row-major 3x3 matrix. */
  readonly eigenvectors: Float64Array;
  /** The 3x3 covariance (row-major) and per-channel mean it came from. */
  readonly covariance: Float64Array;
  readonly mean: Float64Array;

  constructor(covariance: ArrayLike<number>, mean: ArrayLike<number> = [0, 0, 0]) {
    check(mean.length === 3, 'PcaColorAugment', `mean must have 3 values, got ${mean.length}`);
    const { values, vectors } = symmetricEigen3(covariance);
    this.covariance = Float64Array.from(covariance);
    this.mean = Float64Array.from(mean);
    this.eigenvalues = values;
    this.eigenvectors = vectors;
  }

  /**
   * Covariance of the RGB values of every pixel of `images` (an array, any
   * iterable of images, or a Dataset), in float64 with the mean removed.
   */
  static fit(images: Iterable<Image> | Dataset): PcaColorAugment {
    const op = 'PcaColorAugment.fit';
    const iter: Iterable<Image> = isDataset(images) ? datasetImages(images) : images;
    if (iter === null || typeof (iter as Iterable<Image>)[Symbol.iterator] !== 'function') throw new SimdnnError(op, 'images must be an array or iterable of images, or a Dataset');
    const sum = new Float64Array(3), prod = new Float64Array(6);
    let count = 0, n = 0;
    // Shift by the first image's mean so the one-pass sums do not cancel.
    let shift: number[] | null = null;
    for (const img of iter) {
      checkImage(img, op);
      check(img.channels === 3, op, () => `image ${n} has ${img.channels} channels; PCA colour augmentation needs RGB (3)`);
      const plane = img.height * img.width, d = img.data;
      if (shift === null) {
        shift = [0, 1, 2].map((c) => {
          let s = 0;
          for (let i = c * plane; i < (c + 1) * plane; i++) s += d[i];
          return s / plane;
        });
      }
      for (let i = 0; i < plane; i++) {
        const r = d[i] - shift[0], g = d[plane + i] - shift[1], b = d[2 * plane + i] - shift[2];
        sum[0] += r; sum[1] += g; sum[2] += b;
        prod[0] += r * r; prod[1] += r * g; prod[2] += r * b;
        prod[3] += g * g; prod[4] += g * b; prod[5] += b * b;
      }
      count += plane;
      n++;
    }
    check(count > 1, op, 'needs at least one image with two or more pixels');
    const m = [sum[0] / count, sum[1] / count, sum[2] / count];
    // Unbiased covariance, as numpy.cov.
    const cov = (k: number, i: number, j: number) => (prod[k] - count * m[i] * m[j]) / (count - 1);
    const c01 = cov(1, 0, 1), c02 = cov(2, 0, 2), c12 = cov(4, 1, 2);
    const covariance = [cov(0, 0, 0), c01, c02, c01, cov(3, 1, 1), c12, c02, c12, cov(5, 2, 2)];
    return new PcaColorAugment(covariance, m.map((v, c) => v + shift![c]));
  }

  /** The per-channel shift Σi pi·αi·λi for one draw of α (three normals from the rng). */
  sampleShift(opts: PcaApplyOptions = {}): [number, number, number] {
    const op = 'PcaColorAugment.apply';
    checkKeys(opts, ['seed', 'rng', 'std'], op);
    const std = opts.std ?? 0.1;
    check(Number.isFinite(std) && std >= 0, op, `std must be a finite non-negative number, got ${String(std)}`);
    const rng = rngOf(opts, op);
    const w = [0, 1, 2].map((i) => rng.normal() * std * this.eigenvalues[i]);
    const p = this.eigenvectors;
    return [0, 1, 2].map((c) => p[c * 3] * w[0] + p[c * 3 + 1] * w[1] + p[c * 3 + 2] * w[2]) as [number, number, number];
  }

  /** A copy of `img` (RGB, CHW) with one draw of the colour shift added to every pixel. */
  apply(img: Image, opts: PcaApplyOptions = {}): Image {
    checkImage(img, 'PcaColorAugment.apply');
    check(img.channels === 3, 'PcaColorAugment.apply', () => `img has ${img.channels} channels; needs RGB (3)`);
    const shift = this.sampleShift(opts);
    // Pixels still as bytes: the shift goes into each channel's byte → float table (the same float32 sums).
    const pixels = pendingBytes(img);
    if (pixels !== undefined) return mapPendingChannels(img, pixels, (v, c) => v + shift[c]);
    const plane = img.height * img.width;
    const out = allocPixels(img.data.length);
    for (let c = 0; c < 3; c++) {
      const s = shift[c];
      for (let i = c * plane, e = i + plane; i < e; i++) out[i] = img.data[i] + s;
    }
    return { data: out, channels: 3, height: img.height, width: img.width };
  }
}

function isDataset(x: unknown): x is Dataset {
  return x !== null && typeof x === 'object' && typeof (x as Dataset).get === 'function' && typeof (x as Dataset).length === 'number';
}
function* datasetImages(ds: Dataset): Iterable<Image> {
  for (let i = 0; i < ds.length; i++) yield ds.get(i).image;
}
