import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SimdnnError } from '../../errors.js';
import { cifar10Dataset } from '../cifar.js';
import { cifar100Dataset } from '../cifar100.js';
import type { ImageArrayDataset } from '../dataset.js';
import { readMaybeGzip } from './read-file.js';

/** CIFAR-10 from batch files (data_batch_*.bin, test_batch.bin), concatenated in the order given. */
export function readCifar10Files(paths: string[]): ImageArrayDataset {
  return cifar10Dataset(paths.map((name) => ({ bytes: readMaybeGzip(name, 'readCifar10'), name })));
}

/** CIFAR-10 from its extracted folder (cifar-10-batches-bin): data_batch_1..5 for train, test_batch for test. */
export function readCifar10Folder(dir: string, split: 'train' | 'test' = 'train'): ImageArrayDataset {
  const names = split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const paths = names.map((n) => join(dir, n));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) throw new SimdnnError('readCifar10', `${dir}: missing ${missing.map((p) => basename(p)).join(', ')}`);
  return readCifar10Files(paths);
}

/** CIFAR-100 from its extracted folder (cifar-100-binary): train.bin or test.bin, fine (100) or coarse (20) labels. */
export function readCifar100Folder(dir: string, split: 'train' | 'test' = 'train', labels: 'fine' | 'coarse' = 'fine'): ImageArrayDataset {
  const path = join(dir, `${split}.bin`);
  if (!existsSync(path)) throw new SimdnnError('readCifar100', `${dir}: missing ${split}.bin`);
  return cifar100Dataset([{ bytes: readMaybeGzip(path, 'readCifar100'), name: path }], labels);
}
