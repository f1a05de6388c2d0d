// AlexNet-style input pipeline over an image folder, for bench/data.mjs (run in
// the main thread and in WorkerDataLoader workers alike): decode JPEG, resize the
// shorter side to 256, random 224x224 crop, flip, PCA colour shift, normalize.
import * as sn from '../../dist/index.js';
import { ImageFolderDataset } from '../../dist/node.js';

const { data } = sn;
// decoder 'auto': sharp (in the WorkerDataLoader's workers, via batchAsync); 'js': jpeg-js.
export function makeLoader({ root, batchSize, seed, decoder = 'auto' }) {
  const ds = new ImageFolderDataset(root, { resize: 256, decoder });
  // A fixed covariance stands in for PcaColorAugment.fit over the training set.
  const pca = new data.PcaColorAugment([0.066, 0.058, 0.051, 0.058, 0.061, 0.059, 0.051, 0.059, 0.069]);
  const transform = (img, rng) => {
    const crop = data.horizontalFlip(data.randomCrop(img, 224, { rng }), { rng });
    return data.normalize(pca.apply(crop, { rng }), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
  };
  return new data.DataLoader(ds, { batchSize, shuffle: true, seed, transform, dropLast: true });
}
