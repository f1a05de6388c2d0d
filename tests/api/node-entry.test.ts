// `simdnn/node` (package.json exports "./node" -> dist/node.js): API.md's IDX and
// image-folder readers, as a separate Node-only bundle beside the main entry.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let work = '';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let node: any;

beforeAll(async () => {
  await sn.init({ threads: 1 });
  // Built as scripts/bundle.mjs builds dist/node.js; inside the checkout so that
  // pngjs/jpeg-js resolve from node_modules as they do for an installed package.
  work = mkdtempSync(join(root, '.node-entry-test-'));
  const outfile = join(work, 'node.js');
  await build({
    entryPoints: [join(root, 'src/node.ts')], outfile, bundle: true, format: 'esm', target: 'es2022',
    platform: 'node', packages: 'external', external: ['node:*'], minify: true, logLevel: 'silent',
  });
  node = await import(pathToFileURL(outfile).href);
});
afterAll(() => {
  sn.shutdown();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('simdnn/node', () => {
  it('package.json exports it with its types', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./node']).toEqual({ types: './dist/types/node.d.ts', default: './dist/node.js' });
    expect(readFileSync(join(root, 'scripts/bundle.mjs'), 'utf8')).toContain("outfile: 'dist/node.js'");
  });

  it('reads an image folder into a dataset the main entry DataLoader batches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-folder-'));
    try {
      for (const [c, cls] of ['cat', 'dog'].entries()) {
        mkdirSync(join(dir, cls));
        for (let i = 0; i < 2; i++) {
          const png = new PNG({ width: 5, height: 4 });
          for (let j = 0; j < 20; j++) png.data.set([c * 200, j * 10, i * 100, 255], 4 * j);
          writeFileSync(join(dir, cls, `${i}.png`), PNG.sync.write(png));
        }
      }
      const ds = new node.ImageFolderDataset(dir);
      expect(ds.classes).toEqual(['cat', 'dog']);
      expect(ds.length).toBe(4);
      const s = ds.get(2);
      expect(s.label).toBe(1);
      expect([s.image.channels, s.image.height, s.image.width]).toEqual([3, 4, 5]);
      expect(s.image.data[0]).toBeCloseTo(200 / 255, 6);
      const batches = [...new sn.data.DataLoader(ds, { batchSize: 2 })];
      expect(batches.map((b) => Array.from(b.y))).toEqual([[0, 0], [1, 1]]);
      expect(batches[0].x.shape).toEqual([2, 3, 4, 5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads IDX files; its errors are instanceof the main entry SimdnnError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-idx-'));
    try {
      writeFileSync(join(dir, 'images'), new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255, 255, 0]));
      writeFileSync(join(dir, 'labels'), new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]));
      const ds = node.readIdxDataset(join(dir, 'images'), join(dir, 'labels'));
      expect(ds.length).toBe(2);
      expect(ds.get(1).label).toBe(3);
      expect(Array.from(ds.get(1).image.data)).toEqual([1, 0]);
      let err: unknown = null;
      try {
        new node.ImageFolderDataset(join(dir, 'missing'));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(sn.SimdnnError);
      expect((err as Error).message).toMatch(/^ImageFolder: .*missing: cannot read the folder/);
      expect(new Error('x')).not.toBeInstanceOf(sn.SimdnnError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
