import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Subset, type Dataset, ImageArrayDataset } from '../data/dataset.js';
import { loadEmbeddedDigits, readMnistFolder, readCifar10Folder, readCifar100Folder, ImageFolderDataset } from '../data/node/index.js';
import { UsageError, explain } from './usage-error.js';

/** Training and held-out data with what the CLI needs to know about them. */
export interface DataSplits {
  train: Dataset;
  test: Dataset;
  classes: readonly string[];
  /** [channels, height, width] when every image has that size (arrays); null for image folders (any size). */
  shape: [number, number, number] | null;
  /** How the source was recognised, for messages. */
  kind: 'embedded digits' | 'MNIST IDX files' | 'CIFAR-10 binary files' | 'CIFAR-100 binary files' | 'image folder';
}

/**
 * `mnist`: the 10,000 embedded digits (8,000 train / 2,000 test). A folder:
 * MNIST IDX files (train-images-idx3-ubyte[.gz] …), CIFAR-10 binary batches
 * (data_batch_1.bin … test_batch.bin, also under cifar-10-batches-bin/), CIFAR-100's
 * train.bin and test.bin (fine labels; also under cifar-100-binary/), or
 * images in class sub-folders: DIR/train/<class>/ and DIR/val/ (or test/),
 * or DIR/<class>/ alone, then every 5th image of each class is held out.
 * `channels` is what image folders are decoded to (the model's input);
 * `skipBadImages` lets a run go on past a corrupt image (reported once);
 * `resize` / `testResize`: folder images are decoded with this shorter side (sharp shrinks on load).
 */
export function loadData(spec: string, channels: 1 | 3, opts: { skipBadImages?: boolean; resize?: number; testResize?: number } = {}): DataSplits {
  if (spec === 'mnist') {
    const { train, test } = explain('cannot load the embedded digits', loadEmbeddedDigits);
    return { train, test, classes: train.classes!, shape: [1, 28, 28], kind: 'embedded digits' };
  }
  let isDir = false;
  try {
    isDir = statSync(spec).isDirectory();
  } catch (e) {
    throw new UsageError(`cannot read data '${spec}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message} (give --data mnist or a folder)`);
  }
  if (!isDir) throw new UsageError(`data '${spec}' is a file; give a folder of MNIST IDX files, CIFAR-10 batches or class sub-folders of images (or --data mnist)`);
  const context = `cannot read data '${spec}'`;
  if (['train-images-idx3-ubyte', 'train-images.idx3-ubyte', 'train-images-idx3-ubyte.gz'].some((f) => existsSync(join(spec, f)))) {
    return explain(context, () => arrays(readMnistFolder(spec, 'train'), readMnistFolder(spec, 'test'), 'MNIST IDX files'));
  }
  for (const dir of [spec, join(spec, 'cifar-10-batches-bin')]) {
    if (existsSync(join(dir, 'data_batch_1.bin'))) {
      return explain(context, () => arrays(readCifar10Folder(dir, 'train'), readCifar10Folder(dir, 'test'), 'CIFAR-10 binary files'));
    }
  }
  for (const dir of [spec, join(spec, 'cifar-100-binary')]) {
    if (existsSync(join(dir, 'train.bin')) && existsSync(join(dir, 'test.bin'))) {
      return explain(context, () => arrays(readCifar100Folder(dir, 'train'), readCifar100Folder(dir, 'test'), 'CIFAR-100 binary files'));
    }
  }
  return explain(context, () => imageFolders(spec, channels, !!opts.skipBadImages, opts.resize, opts.testResize ?? opts.resize));
}

function arrays(train: ImageArrayDataset, test: ImageArrayDataset, kind: DataSplits['kind']): DataSplits {
  const classes = train.classes ?? Array.from({ length: Math.max(...train.labels) + 1 }, (_, i) => String(i));
  return { train, test, classes, shape: [train.channels, train.height, train.width], kind };
}

function imageFolders(root: string, channels: 1 | 3, skipBadImages: boolean, resize?: number, testResize?: number): DataSplits {
  const trainDir = join(root, 'train');
  const testDir = ['val', 'test'].map((d) => join(root, d)).find((d) => existsSync(d));
  if (existsSync(trainDir) && testDir) {
    const train = new ImageFolderDataset(trainDir, { channels, skipBadImages, resize });
    const test = new ImageFolderDataset(testDir, { channels, skipBadImages, resize: testResize });
    if (train.classes.join('\n') !== test.classes.join('\n')) {
      throw new UsageError(`${testDir} has classes ${test.classes.join(', ')} but ${trainDir} has ${train.classes.join(', ')}`);
    }
    return { train, test, classes: train.classes, shape: null, kind: 'image folder' };
  }
  const all = new ImageFolderDataset(root, { channels, skipBadImages, resize });
  // The held-out images are decoded at their own size (a second listing of the same folder).
  const allTest = testResize === resize ? all : new ImageFolderDataset(root, { channels, skipBadImages, resize: testResize });
  // Every 5th image of each class (files are sorted per class) is held out.
  const trainIdx: number[] = [], testIdx: number[] = [];
  const seen = new Map<number, number>();
  all.labels.forEach((label, i) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    (k % 5 === 4 ? testIdx : trainIdx).push(i);
  });
  if (testIdx.length === 0) throw new UsageError(`${root}: too few images to hold out a test set (need 5 per class)`);
  return { train: new Subset(all, trainIdx), test: new Subset(allTest, testIdx), classes: all.classes, shape: null, kind: 'image folder' };
}

/** `n` examples of `d` spread evenly over it (a quick run on a subset); all of it when n is 0 or ≥ its length. */
export function evenSubset(d: Dataset, n: number): Dataset {
  if (n <= 0 || n >= d.length) return d;
  return new Subset(d, Array.from({ length: n }, (_, i) => Math.floor((i * d.length) / n)));
}
