import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { SimdnnError } from '../../errors.js';
import { idxDataset, parseIdx, type IdxArray } from '../idx.js';
import type { ImageArrayDataset } from '../dataset.js';
import { readMaybeGzip } from './read-file.js';

/** An IDX file (raw or .gz) from any path. */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path, 'readIdx'), path);
}

/** An MNIST-format dataset from an images file and a labels file (raw or .gz). */
export function readIdxDataset(imagesPath: string, labelsPath: string, classes?: readonly string[]): ImageArrayDataset {
  return idxDataset(readIdxFile(imagesPath), readIdxFile(labelsPath), [imagesPath, labelsPath], classes);
}

/**
 * MNIST (or Fashion-MNIST) from a folder holding the four standard files
 * (train-images-idx3-ubyte, … with or without .gz, with '-' or '.' before idx).
 */
export function readMnistFolder(dir: string, split: 'train' | 't10k' | 'test' = 'train'): ImageArrayDataset {
  const prefix = split === 'test' ? 't10k' : split;
  const find = (kind: 'images' | 'labels', dims: 1 | 3) => {
    for (const sep of ['-', '.']) {
      for (const gz of ['', '.gz']) {
        const p = join(dir, `${prefix}-${kind}${sep}idx${dims}-ubyte${gz}`);
        if (existsSync(p)) return p;
      }
    }
    throw new SimdnnError('readMnistFolder', `${dir}: no ${prefix}-${kind}-idx${dims}-ubyte[.gz] file`);
  };
  return readIdxDataset(find('images', 3), find('labels', 1), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
}
