import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { WorkerDataLoader } from '../../src/node.js';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImageFile } from '../../src/data/node/decode-image.js';
import { decodeImageFileSharp, getSharp, headerSize, resetSharpForTests, shorterSideSize } from '../../src/data/node/sharp-decode.js';
import { ImageFolderDataset } from '../../src/data/node/image-folder.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { resize } from '../../src/data/resize.js';
import type { Image } from '../../src/data/image.js';

// Pixels PIL decodes the committed files to (scripts/fixtures/images.py).
const DIR = 'tests/fixtures/data/photos';
const FX = JSON.parse(readFileSync('tests/fixtures/data/photos.json', 'utf8')) as {
  cases: { file: string; format: string; width: number; height: number; rgb: number[]; gray: number[] }[];
};

/** Largest |ours − PIL| in byte levels, and the mean. */
function diff(img: Image, pil: number[]): { max: number; mean: number } {
  const plane = img.width * img.height, C = img.channels;
  let max = 0, sum = 0;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < C; c++) {
      const d = Math.abs(Math.round(img.data[c * plane + i] * 255) - pil[C * i + c]);
      max = Math.max(max, d);
      sum += d;
    }
  }
  return { max, mean: sum / (plane * C) };
}

describe('sharp decoding', () => {
  const sharp = getSharp()!;
  it('loads here (it is installed)', () => expect(typeof sharp).toBe('function'));
  it('with libvips\' operation cache off (each file is decoded once an epoch: the cache cost 7% of 2-worker throughput)', () => {
    const stats = (sharp as unknown as { cache(): { memory: { max: number }; items: { max: number } } }).cache();
    expect([stats.memory.max, stats.items.max]).toEqual([0, 0]);
  });

  for (const c of FX.cases) {
    it(`${c.file}: the same bytes as PIL's convert('RGB') and convert('L') (JPEG: within one level)`, async () => {
      const tol = c.format === 'jpeg' ? 1 : 0;
      const rgb = await decodeImageFileSharp(sharp, join(DIR, c.file), 3);
      expect([rgb.channels, rgb.height, rgb.width]).toEqual([3, c.height, c.width]);
      expect(diff(rgb, c.rgb).max).toBeLessThanOrEqual(tol);
      const gray = await decodeImageFileSharp(sharp, join(DIR, c.file), 1);
      expect(gray.channels).toBe(1);
      expect(diff(gray, c.gray).max).toBeLessThanOrEqual(tol);
    });
  }

  it("reads each file's size from its header as PIL does", () => {
    for (const c of FX.cases) {
      const bytes = readFileSync(join(DIR, c.file));
      expect(headerSize(bytes, c.format as 'png' | 'jpeg'), c.file).toEqual({ width: c.width, height: c.height });
    }
  });

  it('shrinks on load to the shorter side (torchvision Resize(int) sizes), close to decode-then-resize', async () => {
    expect(shorterSideSize(375, 500, 256)).toEqual([256, 341]);
    expect(shorterSideSize(500, 375, 256)).toEqual([341, 256]);
    const small = await decodeImageFileSharp(sharp, join(DIR, 'photo444.jpg'), 3, 10);
    expect([small.height, small.width]).toEqual([10, 15]);
    const ref = resize(await decodeImageFileSharp(sharp, join(DIR, 'photo444.jpg'), 3), 10);
    // Antialiased (PIL-like) vs plain bilinear: not equal, but the same picture.
    let sum = 0;
    for (let i = 0; i < ref.data.length; i++) sum += Math.abs(ref.data[i] - small.data[i]);
    expect(sum / ref.data.length).toBeLessThan(0.08);
  });

  it('a truncated JPEG or a damaged PNG is a one-line error naming the file, as PIL refuses them', async () => {
    for (const [f, kind] of [['truncated.jpg', 'JPEG'], ['corrupt.png', 'PNG']]) {
      const p = join(DIR, f);
      const err = await decodeImageFileSharp(sharp, p).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(new RegExp(`^readImage: ${p}: corrupt ${kind} \\(.+\\)$`));
      expect((err as Error).message).not.toContain('\n');
      expect(() => decodeImageFile(p)).toThrow(new RegExp(`^readImage: ${p}: corrupt ${kind}`));
    }
    await expect(decodeImageFileSharp(sharp, join(DIR, 'nope.jpg'))).rejects.toThrow(/nope.jpg: cannot read \(ENOENT\)/);
  });
});

describe('the pure-JS fallback', () => {
  it('is used, with one notice, where sharp cannot load', () => {
    resetSharpForTests();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const missing = () => {
        throw new Error("Cannot find module 'sharp'\nRequire stack: …");
      };
      expect(getSharp(missing)).toBeNull();
      expect(getSharp(missing)).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^simdnn: sharp cannot load \(Cannot find module 'sharp'; Require stack: …\); decoding images with the pure-JS jpeg-js\/pngjs/);
    } finally {
      warn.mockRestore();
      resetSharpForTests();
    }
  });

  it('a folder decodes with jpeg-js/pngjs then: PNG exactly as PIL, JPEG close', async () => {
    for (const c of FX.cases) {
      const d = diff(decodeImageFile(join(DIR, c.file)), c.rgb);
      if (c.format === 'png') expect(d.max).toBe(0);
      // jpeg-js upsamples chroma without libjpeg's "fancy" filter: far on sharp colour edges, close on average.
      else expect(d.mean).toBeLessThan(8);
    }
  });
});

describe('ImageFolderDataset with sharp', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'simdnn-decode-'));
    for (const [cls, files] of [['a', ['photo420.jpg', 'rgb.png']], ['b', ['photo444.jpg', 'truncated.jpg', 'gray.jpg']]] as const) {
      mkdirSync(join(root, cls));
      for (const f of files) copyFileSync(join(DIR, f), join(root, cls, f));
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prepare() decodes with sharp, get() hands the image over; without prepare get() uses jpeg-js', async () => {
    const ds = new ImageFolderDataset(root, { resize: 12 });
    const fromSharp = (await ds.getAsync(0)).image;
    expect(Array.from(fromSharp.data)).toEqual(Array.from((await decodeImageFileSharp(getSharp()!, ds.files[0], 3, 12)).data));
    const fromJs = ds.get(0).image; // nothing prepared any more
    expect(Array.from(fromJs.data)).toEqual(Array.from(resize(decodeImageFile(ds.files[0]), 12).data));
    const js = new ImageFolderDataset(root, { resize: 12, decoder: 'js' });
    expect(Array.from((await js.getAsync(0)).image.data)).toEqual(Array.from(fromJs.data));
  });

  it('a bad file fails the batch naming it; with skipBadImages it is replaced by the next image, reported once', async () => {
    const bad = join(root, 'b', 'truncated.jpg');
    const loader = new DataLoader(new ImageFolderDataset(root, { resize: 8 }), { batchSize: 5, transform: (img) => ({ ...img, data: img.data.slice(0, 3 * 8 * 8), width: 8 }) });
    await expect(loader.batchAsync(0, 0)).rejects.toThrow(`readImage: ${bad}: corrupt JPEG`);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const ds = new ImageFolderDataset(root, { resize: 8, skipBadImages: true });
      const skipping = new DataLoader(ds, { batchSize: 5, transform: (img) => ({ ...img, data: img.data.slice(0, 3 * 8 * 8), width: 8 }) });
      for (let e = 0; e < 2; e++) {
        const batch = await skipping.batchAsync(e, 0);
        // b/truncated.jpg is the last file (index 4): the next readable one wraps round to index 0, with its label.
        expect(Array.from(batch.y)).toEqual([0, 0, 1, 1, 0]);
        const per = 3 * 8 * 8;
        expect(Array.from(batch.data.subarray(4 * per, 5 * per))).toEqual(Array.from(batch.data.subarray(0, per)));
      }
      expect(warn).toHaveBeenCalledTimes(1);
      // The reason is libvips' ('VipsJpeg: premature end of JPEG image', or a generic one when decodes fail at once).
      expect(String(warn.mock.calls[0][0])).toMatch(new RegExp(`^simdnn: skipping readImage: ${bad}: corrupt JPEG \\([^\n]+\\) \\(--skip-bad-images: using the next image instead\\)$`));
    } finally {
      warn.mockRestore();
    }
  });

  it('for await over a DataLoader gives the batches of batchAsync', async () => {
    const ds = new ImageFolderDataset(root, { resize: 8, skipBadImages: true, channels: 1 });
    const crop = (img: Image) => ({ ...img, data: img.data.slice(0, 8 * 8), width: 8 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const loader = new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 3, transform: crop });
      const got: number[][] = [];
      for await (const b of loader) got.push(Array.from(b.indices));
      expect(got.flat().sort()).toEqual([0, 1, 2, 3, 4]);
      expect(got.length).toBe(3);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('getSharp', () => {
  afterAll(() => resetSharpForTests());
  it('turns the operation cache off and gives each decode one libvips thread', () => {
    resetSharpForTests();
    const log = { cache: [] as boolean[], concurrency: [] as number[] };
    // A stand-in for sharp that records its settings.
    const sharp = Object.assign(() => ({}), { cache: (on: boolean) => log.cache.push(on), concurrency: (n: number) => (log.concurrency.push(n), n) });
    expect(getSharp(() => sharp)).toBe(sharp);
    expect(log).toEqual({ cache: [false], concurrency: [1] });
  });
});

describe('WorkerDataLoader over an image folder', () => {
  let dir = '';
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('decodes with sharp in the workers: the same batches as batchAsync here, for 1 and 2 workers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'simdnn-folder-worker-'));
    for (const [cls, files] of [['a', ['photo420.jpg', 'rgb.png', 'palette.png']], ['b', ['photo444.jpg', 'gray.jpg', 'rgba.png']]] as const) {
      mkdirSync(join(dir, 'img', cls), { recursive: true });
      for (const f of files) copyFileSync(join(DIR, f), join(dir, 'img', cls, f));
    }
    writeFileSync(join(dir, 'entry.ts'), `export { ImageFolderDataset } from '${process.cwd()}/src/data/node/image-folder.js';\nexport * from '${process.cwd()}/src/data/index.js';\n`);
    await build({ entryPoints: [join(dir, 'entry.ts')], outfile: join(dir, 'lib.mjs'), bundle: true, format: 'esm', platform: 'node', external: ['sharp'], logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
    // The bundle resolves sharp (and jpeg-js, pngjs) from its folder: give it this checkout's node_modules.
    symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
    const pipeline = join(dir, 'pipeline.mjs');
    writeFileSync(pipeline, `
import * as d from './lib.mjs';
export function makeLoader({ root, decoder = 'auto' }) {
  const ds = new d.ImageFolderDataset(root, { resize: 10, decoder });
  return new d.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 5, transform: (img, rng) => d.horizontalFlip(d.randomCrop(img, 8, { rng }), { rng }) });
}`);
    const { makeLoader } = await import(pipeline);
    const local = makeLoader({ root: join(dir, 'img') });
    const want: number[][] = [];
    for (let b = 0; b < local.length; b++) want.push(Array.from((await local.batchAsync(1, b)).data));
    // sharp decoded them (jpeg-js gives other JPEG pixels), so equal batches from the workers mean sharp decoded there too.
    const js = makeLoader({ root: join(dir, 'img'), decoder: 'js' });
    expect(Array.from({ length: js.length }, (_, b) => Array.from(js.batch(1, b).data))).not.toEqual(want);
    for (const workers of [1, 2]) {
      const wl = new WorkerDataLoader(pipeline, { args: { root: join(dir, 'img') }, workers });
      try {
        expect([...wl.batches(1)].map((b) => Array.from(b.data))).toEqual(want);
      } finally {
        wl.close();
      }
    }
  });
});
