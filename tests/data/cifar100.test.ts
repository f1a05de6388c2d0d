import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as data from '../../src/data/index.js';
import { readCifar100Folder } from '../../src/data/node/index.js';
import { cli, tempDir } from '../cli/cli-helpers.js';

/** `n` CIFAR-100 records: record r has coarse label r % 20, fine label (7r) % 100, pixels (r + i) & 255. */
function records(n: number): Uint8Array {
  const rec = 2 + 3072, out = new Uint8Array(n * rec);
  for (let r = 0; r < n; r++) {
    out[r * rec] = r % 20;
    out[r * rec + 1] = (7 * r) % 100;
    for (let i = 0; i < 3072; i++) out[r * rec + 2 + i] = (r + i) & 255;
  }
  return out;
}

describe('CIFAR-100', () => {
  it('reads fine or coarse labels and CHW pixels; names the 100 and 20 classes', () => {
    expect(new Set(data.CIFAR100_CLASSES).size).toBe(100);
    expect(new Set(data.CIFAR100_COARSE_CLASSES).size).toBe(20);
    expect([...data.CIFAR100_CLASSES].sort()).toEqual([...data.CIFAR100_CLASSES]); // label order is alphabetical
    const fine = data.cifar100Dataset([{ bytes: records(25), name: 't.bin' }]);
    expect(fine.length).toBe(25);
    expect(Array.from(fine.labels.subarray(0, 4))).toEqual([0, 7, 14, 21]);
    expect(fine.classes?.[7]).toBe('beetle');
    const { image } = fine.get(3);
    expect([image.channels, image.height, image.width]).toEqual([3, 32, 32]);
    expect(image.data[1025]).toBe(Math.fround(((3 + 1025) & 255) / 255));
    const coarse = data.cifar100Dataset([{ bytes: records(25), name: 't.bin' }], 'coarse');
    expect(coarse.labels[21]).toBe(1);
    expect(coarse.classes?.length).toBe(20);
  });

  it('rejects CIFAR-10 files and truncated ones, naming the file', () => {
    expect(() => data.cifar100Dataset([{ bytes: new Uint8Array(3073 * 2), name: 'c10.bin' }])).toThrow(/readCifar100: c10.bin: 6146 bytes is not a whole number of 3074-byte records/);
    const bad = records(2);
    bad[1] = 150;
    expect(() => data.cifar100Dataset([{ bytes: bad, name: 'x.bin' }])).toThrow(/x.bin: record 0 has labels 0 \(coarse, 0-19\) and 150/);
    expect(() => readCifar100Folder(tempDir())).toThrow(/missing train.bin/);
  });

  it('the CLI recognises cifar-100-binary/ and trains on it', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'cifar-100-binary'));
    writeFileSync(join(root, 'cifar-100-binary', 'train.bin'), records(40));
    writeFileSync(join(root, 'cifar-100-binary', 'test.bin'), records(10));
    const r = await cli(['train', '--model', 'resnet18', '--data', root, '--epochs', '1', '--batch-size', '20', '--threads', '1', '--out', tempDir()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(CIFAR-100 binary files: 40 train, 10 test, 100 classes)');
  }, 60_000);
});
