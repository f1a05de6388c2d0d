// `npm install` where sharp's prebuilt binary cannot be fetched: sharp is an
// optionalDependency, so the install goes on without it, and the packed package
// must then decode image folders with jpeg-js/pngjs after one clear notice.
// Simulated: a project with the packed simdnn, jpeg-js and pngjs, and a `sharp`
// whose require throws sharp's own "Could not load" error. Needs dist/ (npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/data/node/decode-image.js';
import { resize } from '../../src/data/resize.js';
import { centerCrop } from '../../src/data/crop.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'simdnn-nosharp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a user project where sharp cannot load', () => {
  it('decodes an image folder with jpeg-js/pngjs after one notice naming the reason', () => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    const project = join(work, 'project');
    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, 'simdnn'), { recursive: true });
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', join(modules, 'simdnn'), '--strip-components=1']);
    for (const dep of ['jpeg-js', 'pngjs']) symlinkSync(join(root, 'node_modules', dep), join(modules, dep));
    // What sharp 0.33+ throws when @img/sharp-<platform> is missing.
    mkdirSync(join(modules, 'sharp'));
    writeFileSync(join(modules, 'sharp', 'package.json'), JSON.stringify({ name: 'sharp', version: '0.35.5', main: 'index.js' }));
    writeFileSync(join(modules, 'sharp', 'index.js'), 'throw new Error(\'Could not load the "sharp" module using the linux-x64 runtime\\nPossible solutions:\\n- Ensure optional dependencies can be installed\');\n');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', type: 'module', private: true }));
    cpSync(join(root, 'tests/user/no-sharp-folder.mjs'), join(project, 'train.mjs'));
    const photos = join(project, 'photos');
    for (const [cls, f] of [['cat', 'photo420.jpg'], ['cat', 'rgb.png'], ['dog', 'photo444.jpg'], ['dog', 'gray.jpg']]) {
      mkdirSync(join(photos, cls), { recursive: true });
      copyFileSync(join(root, 'tests/fixtures/data/photos', f), join(photos, cls, f));
    }
    const r = spawnSync(process.execPath, ['train.mjs', photos], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const notices = r.stderr.split('\n').filter((l) => l.includes('sharp'));
    expect(notices).toEqual([
      'simdnn: sharp cannot load (Could not load the "sharp" module using the linux-x64 runtime; Possible solutions:; - Ensure optional dependencies can be installed); decoding images with the pure-JS jpeg-js/pngjs instead, about 10-20x slower',
    ]);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { files: string[]; batches: { shape: number[]; data: number[] }[]; fromWorkers: { data: number[]; mean: number }[] };
    expect(out.batches).toHaveLength(4); // 2 epochs of 2 batches, each prepared through the (absent) sharp path
    // The workers decode with jpeg-js too, say nothing more, and their batches make tensors here.
    expect(out.fromWorkers.map((b) => b.data)).toEqual(out.batches.slice(0, 2).map((b) => b.data));
    for (const b of out.fromWorkers) expect(b.mean).toBeCloseTo(b.data.reduce((s, v) => s + v, 0) / b.data.length, 5);
    // The pixels are jpeg-js's and pngjs's (files in order: no shuffle).
    const want = out.files.map((f) => Array.from(centerCrop(resize(decodeImageFile(f), 12), 12).data));
    for (const [k, b] of out.batches.entries()) {
      expect(b.shape).toEqual([2, 3, 12, 12]);
      expect(b.data).toEqual([...want[(2 * k) % 4], ...want[(2 * k + 1) % 4]]);
    }
  }, 180_000);
});
