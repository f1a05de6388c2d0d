import type { Rng } from '../random.js';
import type { Image } from './image.js';

/** A transform of an image with the sample's random numbers (a DataLoader transform). */
export type ImageTransform = (img: Image, rng: Rng) => Image;

/**
 * torchvision's Compose: the transforms in order, sharing the sample's rng
 * (so the whole pipeline is reproducible from the DataLoader's seed).
 */
export function compose(...transforms: ImageTransform[]): ImageTransform {
  return (img, rng) => transforms.reduce((x, t) => t(x, rng), img);
}
