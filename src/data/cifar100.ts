import { SimdnnError } from '../errors.js';
import { ImageArrayDataset } from './dataset.js';

export const CIFAR100_CLASSES = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle', 'bowl', 'boy', 'bridge', 'bus', 'butterfly',
  'camel', 'can', 'castle', 'caterpillar', 'cattle', 'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup',
  'dinosaur', 'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard', 'lamp', 'lawn_mower',
  'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain', 'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid',
  'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree', 'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road',
  'rocket', 'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider', 'squirrel', 'streetcar', 'sunflower',
  'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor', 'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale',
  'willow_tree', 'wolf', 'woman', 'worm',
] as const;

export const CIFAR100_COARSE_CLASSES = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables', 'household_electrical_devices', 'household_furniture',
  'insects', 'large_carnivores', 'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees', 'vehicles_1', 'vehicles_2',
] as const;

const RECORD = 2 + 3 * 32 * 32;

/**
 * CIFAR-100's binary files (train.bin, test.bin): records of a coarse label
 * byte (20 superclasses), a fine label byte (100 classes), then 3072 pixel
 * bytes (R, G, B 32x32 planes). `labels` picks which label the dataset has.
 */
export function cifar100Dataset(files: { bytes: Uint8Array; name: string }[], labels: 'fine' | 'coarse' = 'fine'): ImageArrayDataset {
  const op = 'readCifar100';
  if (!Array.isArray(files) || files.length === 0) throw new SimdnnError(op, 'needs at least one file');
  if (labels !== 'fine' && labels !== 'coarse') throw new SimdnnError(op, `labels must be 'fine' or 'coarse', got ${String(labels)}`);
  let total = 0;
  for (const { bytes, name } of files) {
    if (!(bytes instanceof Uint8Array)) throw new SimdnnError(op, `${name}: expected the file contents as a Uint8Array`);
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new SimdnnError(op, `${name}: ${bytes.length} bytes is not a whole number of ${RECORD}-byte records (2 labels + 3072 pixels): ${Math.floor(bytes.length / RECORD)} records and ${bytes.length % RECORD} bytes left over (truncated, or CIFAR-10 with its one label byte?)`);
    }
    total += bytes.length / RECORD;
  }
  const pixels = new Uint8Array(total * (RECORD - 2));
  const y = new Int32Array(total);
  let n = 0;
  for (const { bytes, name } of files) {
    for (let r = 0; r < bytes.length / RECORD; r++, n++) {
      const coarse = bytes[r * RECORD], fine = bytes[r * RECORD + 1];
      if (coarse > 19 || fine > 99) throw new SimdnnError(op, `${name}: record ${r} has labels ${coarse} (coarse, 0-19) and ${fine} (fine, 0-99): not CIFAR-100`);
      y[n] = labels === 'fine' ? fine : coarse;
      pixels.set(bytes.subarray(r * RECORD + 2, (r + 1) * RECORD), n * (RECORD - 2));
    }
  }
  const classes = labels === 'fine' ? CIFAR100_CLASSES : CIFAR100_COARSE_CLASSES;
  return new ImageArrayDataset({ pixels, labels: y, channels: 3, height: 32, width: 32, classes });
}
