import { DataLoader } from '../data/dataloader.js';
import type { Batch } from '../data/batch.js';
import { Subset, type Dataset } from '../data/dataset.js';
import { ImageFolderDataset } from '../data/node/image-folder.js';
import { WorkerDataLoader } from '../data/node/worker-loader.js';
import { trainTransform, type Preprocess } from './preprocess.js';

/**
 * What a data worker needs to rebuild the training DataLoader of an image
 * folder (structured-cloneable: functions cannot cross threads).
 */
export interface FolderLoaderArgs {
  root: string;
  /** The folder's examples the run trains on (a held-out split, --train-size), or null for all. */
  indices: number[] | null;
  channels: 1 | 3;
  /** The shorter side images are decoded to (sharp shrinks on load). */
  resize: number;
  skipBadImages: boolean;
  batchSize: number;
  seed: number;
  prep: Preprocess;
  augment: boolean;
}

/** The factory a data worker calls (exported by the CLI bundle, dist/cli.js). */
export function makeFolderLoader(a: FolderLoaderArgs): DataLoader {
  const folder = new ImageFolderDataset(a.root, { channels: a.channels, resize: a.resize, skipBadImages: a.skipBadImages });
  const ds: Dataset = a.indices === null ? folder : new Subset(folder, a.indices);
  return new DataLoader(ds, { batchSize: a.batchSize, shuffle: true, seed: a.seed, transform: trainTransform(a.prep, a.augment) });
}

/** The image folder and the indices into it behind `ds` (nested Subsets flattened), or null if it is not a folder. */
export function folderBehind(ds: Dataset): { folder: ImageFolderDataset; indices: number[] | null } | null {
  if (ds instanceof ImageFolderDataset) return { folder: ds, indices: null };
  if (ds instanceof Subset) {
    const inner = folderBehind(ds.dataset);
    if (inner === null) return null;
    const idx = Array.from(ds.indices, (i) => (inner.indices === null ? i : inner.indices[i]));
    return { folder: inner.folder, indices: idx };
  }
  return null;
}

/** Epoch batches from batch `start` on, whichever loader makes them. */
export interface TrainBatches {
  readonly length: number;
  batches(epoch: number, start: number): Iterable<Batch> | AsyncIterable<Batch>;
  /** Where the batches are made, for the start-up line. */
  readonly where: string;
  close(): void;
}

/**
 * Folder data sets are decoded (sharp) and augmented in `workers` worker
 * threads while the main thread trains. The workers import the CLI bundle
 * (this module's own file once bundled); run from the TypeScript sources
 * (the tests), the same DataLoader runs here with sharp decoding each batch
 * asynchronously. Both give the same batches.
 */
export function folderTrainLoader(a: FolderLoaderArgs, workers: number): TrainBatches {
  const self = import.meta.url;
  if (workers > 0 && self.endsWith('.js')) {
    const wl = new WorkerDataLoader(self, { exportName: 'makeFolderLoader', args: a, workers });
    return { length: wl.length, batches: (e, s) => wl.batches(e, s), where: `${workers} data worker${workers === 1 ? '' : 's'}`, close: () => wl.close() };
  }
  const dl = makeFolderLoader(a);
  return { length: dl.length, batches: (e, s) => dl.batchesAsync(e, s), where: 'the main thread', close: () => {} };
}
