import { centerCrop, randomCrop } from '../data/crop.js';
import { colorJitter } from '../data/color-jitter.js';
import type { Transform } from '../data/dataloader.js';
import { horizontalFlip } from '../data/flip.js';
import type { Image } from '../data/image.js';
import { normalize } from '../data/normalize.js';
import { PcaColorAugment } from '../data/pca-color.js';
import { resize } from '../data/resize.js';
import { tenCrop } from '../data/multi-crop.js';
import { randomResizedCrop } from '../data/resized-crop.js';
import type { TrainConfig } from './train-options.js';

export const RECIPE_NAMES = ['alexnet', 'vgg', 'googlenet', 'resnet'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/**
 * A paper's training setup (docs/recipes.md gives the sources). Sizes are for
 * 224x224 crops; `--crop N` scales every one of them by N/224.
 */
export interface Recipe {
  config: Pick<TrainConfig, 'model' | 'optimizer' | 'lr' | 'momentum' | 'weightDecay' | 'schedule' | 'batchSize' | 'epochs' | 'lrStep' | 'lrGamma'>;
  /** Shorter side training images are decoded to (the largest the pipeline needs). */
  decode: number;
  /** Scale jittering: the shorter side uniform in [lo, hi] per image (VGG, ResNet). */
  scale?: [number, number];
  /** Shorter side for evaluation (then the centre crop). */
  evalResize: number;
  /** AlexNet's PCA colour augmentation (std of α). */
  pcaStd?: number;
  /** GoogLeNet's auxiliary classifiers: each one's loss is added with this weight during training. */
  auxWeight?: number;
}

export const RECIPES: Record<RecipeName, Recipe> = {
  // Krizhevsky et al. 2012: 256 (shorter side, centre 256x256), random 224 crops + flips, PCA colour 0.1,
  // SGD batch 128, momentum 0.9, weight decay 5e-4, lr 0.01 ÷10 when validation stops improving, ~90 epochs.
  alexnet: { config: { model: 'alexnet', optimizer: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4, schedule: 'plateau', batchSize: 128, epochs: 90, lrStep: 0, lrGamma: 0.1 }, decode: 256, evalResize: 256, pcaStd: 0.1 },
  // Simonyan & Zisserman 2015: scale jittering S ∈ [256, 512], random 224 crops, flips, RGB colour shift,
  // SGD batch 256, momentum 0.9, weight decay 5e-4, lr 0.01 ÷10 when validation accuracy stops improving, 74 epochs.
  vgg: { config: { model: 'vgg16', optimizer: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4, schedule: 'plateau', batchSize: 256, epochs: 74, lrStep: 0, lrGamma: 0.1 }, decode: 512, scale: [256, 512], evalResize: 384, pcaStd: 0.1 },
  // Szegedy et al. 2015: crops of 8-100 % of the area at aspect 3/4-4/3, photometric distortions, SGD momentum 0.9,
  // lr −4 % every 8 epochs (lr and weight decay are not in the paper: 0.01 and 2e-4 here); the two auxiliary
  // classifiers' losses are added with weight 0.3 during training (§5).
  googlenet: { config: { model: 'googlenet', optimizer: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 2e-4, schedule: 'step', batchSize: 128, epochs: 60, lrStep: 8, lrGamma: 0.96 }, decode: 256, evalResize: 256, auxWeight: 0.3 },
  // He et al. 2016: shorter side uniform in [256, 480], random 224 crops, flips, standard colour augmentation,
  // SGD batch 256, momentum 0.9, weight decay 1e-4, lr 0.1 ÷10 when the error plateaus.
  resnet: { config: { model: 'resnet18', optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-4, schedule: 'plateau', batchSize: 256, epochs: 90, lrStep: 0, lrGamma: 0.1 }, decode: 480, scale: [256, 480], evalResize: 256, pcaStd: 0.1 },
};

/** What the checkpoint keeps of a recipe's pipeline (sizes already scaled to the crop). */
export interface RecipePipeline {
  name: RecipeName;
  crop: number;
  decode: number;
  scale?: [number, number];
  evalResize: number;
  pcaStd?: number;
  /** The PCA colour statistics of the training images (fitted once, then saved so a resumed run draws the same shifts). */
  pca?: { covariance: number[]; mean: number[] };
}

/** The recipe's pipeline for `crop`-pixel inputs. */
export function scaledPipeline(name: RecipeName, crop: number): RecipePipeline {
  const r = RECIPES[name];
  const s = (v: number) => Math.round((v * crop) / 224);
  return { name, crop, decode: s(r.decode), scale: r.scale && [s(r.scale[0]), s(r.scale[1])], evalResize: s(r.evalResize), pcaStd: r.pcaStd };
}

/** The shorter side becomes `size` unless it already is (images decoded at that size pass through). */
const shorterTo = (img: Image, size: number) => (Math.min(img.height, img.width) === size ? img : resize(img, size));

/** The recipe's training augmentation, ending with `normalize(mean, std)`. */
export function recipeTrainTransform(p: RecipePipeline, mean: number[], std: number[]): Transform {
  const pca = p.pca && new PcaColorAugment(p.pca.covariance, p.pca.mean);
  return (img, rng) => {
    let x: Image;
    if (p.name === 'googlenet') {
      x = randomResizedCrop(shorterTo(img, p.decode), p.crop, { scale: [0.08, 1], ratio: [3 / 4, 4 / 3], rng });
      if (x.channels === 3) x = colorJitter(x, { brightness: 0.4, contrast: 0.4, saturation: 0.4, rng });
    } else {
      const [lo, hi] = p.scale ?? [p.decode, p.decode];
      const S = lo + rng.int(hi - lo + 1);
      x = shorterTo(img, p.decode);
      if (p.name === 'alexnet') x = centerCrop(x, p.decode); // the central 256x256 of the image
      if (S !== p.decode) x = resize(x, S);
      x = randomCrop(x, p.crop, { rng });
    }
    x = horizontalFlip(x, { rng });
    if (pca && x.channels === 3) x = pca.apply(x, { std: p.pcaStd ?? 0.1, rng });
    return normalize(x, mean, std);
  };
}

/** Evaluation: shorter side `evalResize`, the centre crop. */
export function recipeEvalTransform(p: RecipePipeline, mean: number[], std: number[]): (img: Image) => Image {
  return (img) => normalize(centerCrop(shorterTo(img, p.evalResize), p.crop), mean, std);
}

/**
 * Test-time views of one image: AlexNet's ten crops (corners, centre and their
 * mirror images) at each shorter side in `scales`, or the centre crop alone.
 */
export function viewsTransform(crop: number, scales: number[], ten: boolean, mean: number[], std: number[]): (img: Image) => Image[] {
  return (img) => scales.flatMap((q) => {
    const x = shorterTo(img, q);
    return (ten ? tenCrop(x, crop) : [centerCrop(x, crop)]).map((v) => normalize(v, mean, std));
  });
}
