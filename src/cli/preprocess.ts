import { centerCrop, pad, randomCrop } from '../data/crop.js';
import { horizontalFlip } from '../data/flip.js';
import type { Image } from '../data/image.js';
import { normalize } from '../data/normalize.js';
import { resizeTo } from '../data/resize.js';
import type { Transform } from '../data/dataloader.js';
import { UsageError } from './usage-error.js';
import { recipeEvalTransform, recipeTrainTransform, type RecipePipeline } from './recipes.js';

/**
 * How an image becomes a model input; saved in the checkpoint so eval and
 * predict prepare images exactly as training did.
 */
export interface Preprocess {
  channels: number;
  /** Images are resized to this [height, width] first (a no-op when they have it) … */
  size: [number, number];
  /** … then padded by this many pixels of 0 on every side (28x28 digits -> LeNet-5's 32x32). */
  pad: number;
  mean: number[];
  std: number[];
  /** `--recipe`: the paper's pipeline (then `size` is [crop, crop]); absent for the plain one. */
  recipe?: RecipePipeline;
}

const STATS: Record<number, { mean: number[]; std: number[] }> = {
  1: { mean: [0.1307], std: [0.3081] }, // MNIST
  3: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, // ImageNet (torchvision)
};

/**
 * The preprocessing that fits data of `shape` (null: image files of any size)
 * to a model taking `input`. Small arrays whose size differs from the model's
 * by an even margin of at most 8 pixels are padded (digits: 28 + 2·2 = 32);
 * other sizes are resized. A channel mismatch cannot be fixed silently.
 */
export function fitPreprocess(model: string, input: [number, number, number], shape: [number, number, number] | null, dataKind: string): Preprocess {
  const [C, H, W] = input;
  const stats = STATS[C] ?? { mean: new Array(C).fill(0.5), std: new Array(C).fill(0.25) };
  if (shape === null) return { channels: C, size: [H, W], pad: 0, ...stats };
  const [c, h, w] = shape;
  if (c !== C) {
    throw new UsageError(`${model} takes ${C}x${H}x${W} input but the ${dataKind} are ${c}x${h}x${w} images (${c} channel${c === 1 ? '' : 's'}, not ${C}); pick a model for ${c}-channel images or other data`);
  }
  const dh = H - h, dw = W - w;
  if (dh === dw && dh >= 0 && dh <= 8 && dh % 2 === 0) return { channels: C, size: [h, w], pad: dh / 2, ...stats };
  return { channels: C, size: [H, W], pad: 0, ...stats };
}

/** The shorter side folder images are decoded to for evaluation (sharp shrinks them on load). */
export function evalDecodeSize(p: Preprocess): number {
  return p.recipe ? p.recipe.evalResize : Math.max(...p.size);
}

/** The deterministic transform (eval, predict, training without augmentation). */
export function evalTransform(p: Preprocess): (img: Image) => Image {
  if (p.recipe) return recipeEvalTransform(p.recipe, p.mean, p.std);
  return (img) => {
    let x = resizeTo(img, p.size[0], p.size[1]);
    if (p.pad > 0) x = pad(x, p.pad);
    return normalize(x, p.mean, p.std);
  };
}

/**
 * Training augmentation: a random shift of up to ±1/16 of the side (±2 pixels
 * for LeNet-5's 32x32: the padded digit moves within the frame) and, for
 * colour images, a random horizontal flip (digits must not be mirrored).
 */
export function trainTransform(p: Preprocess, augment: boolean): Transform {
  if (p.recipe) return recipeTrainTransform(p.recipe, p.mean, p.std);
  const plain = evalTransform(p);
  if (!augment) return (img) => plain(img);
  const H = p.size[0] + 2 * p.pad, W = p.size[1] + 2 * p.pad;
  const shift = Math.max(1, Math.round(Math.min(H, W) / 16));
  return (img, rng) => {
    let x = resizeTo(img, p.size[0], p.size[1]);
    x = randomCrop(x, [H, W], { padding: p.pad + shift, rng });
    if (p.channels === 3) x = horizontalFlip(x, { rng });
    return normalize(x, p.mean, p.std);
  };
}

/** Fits any decoded image to `p` for predict: channels must match (decode with p.channels), then resize, pad, normalize. */
export function predictTransform(p: Preprocess): (img: Image) => Image {
  const plain = evalTransform(p);
  return (img) => {
    if (img.channels !== p.channels) throw new UsageError(`image has ${img.channels} channels, the model takes ${p.channels}`);
    // A non-square photo is centre-cropped to the model's aspect first, so digits are not squashed.
    const ratio = p.size[1] / p.size[0];
    const h = Math.min(img.height, Math.floor(img.width / ratio)), w = Math.min(img.width, Math.floor(img.height * ratio));
    return plain(h === img.height && w === img.width ? img : centerCrop(img, [h, w]));
  };
}
