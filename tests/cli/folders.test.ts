import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-helpers.js';

/** root/<class>/<i>.png: colour 20x24 images, a different pattern per class. */
function imageFolder(root: string, classes: string[], perClass: number): void {
  classes.forEach((cls, c) => {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const png = new PNG({ width: 20, height: 24 });
      for (let j = 0; j < 20 * 24; j++) {
        const v = c === 0 ? (j * 3 + i) % 256 : (255 - j + i) & 255;
        png.data.set([v, v >> 1, 255 - v, 255], 4 * j);
      }
      writeFileSync(join(root, cls, `${i}.png`), PNG.sync.write(png));
    }
  });
}

describe('simdnn on image folders and the built-in bench', () => {
  it('trains lenet5 on class sub-folders (colour images decoded to grey, resized to 32x32), then predicts', async () => {
    const data = tempDir(), out = tempDir();
    imageFolder(data, ['cat', 'dog'], 5);
    const r = await cli(['train', '--data', data, '--epochs', '1', '--batch-size', '4', '--augment', '--threads', '1', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // Every 5th image of each class is held out: 8 train, 2 test.
    expect(r.out).toContain('(image folder: 8 train, 2 test, 2 classes)');
    const p = await cli(['predict', join(data, 'dog', '0.png'), '--checkpoint', out, '--threads', '1']);
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/dog[\\/]0\.png: (cat|dog) [\d.]+%, (cat|dog) [\d.]+%\n$/); // two classes: top-5 lists both
  });

  it('uses DIR/train and DIR/val when present, and rejects a val folder with other classes', async () => {
    const data = tempDir();
    imageFolder(join(data, 'train'), ['a', 'b', 'c'], 2);
    imageFolder(join(data, 'val'), ['a', 'b', 'c'], 1);
    const r = await cli(['train', '--data', data, '--epochs', '1', '--batch-size', '2', '--threads', '1', '--out', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(image folder: 6 train, 3 test, 3 classes)');
    imageFolder(join(data, 'val'), ['d'], 1);
    const bad = await cli(['train', '--data', data, '--threads', '1', '--out', tempDir()]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/val has classes a, b, c, d but .*train has a, b, c/);
  });

  it('a truncated JPEG stops the run with one line naming it; --skip-bad-images reports it once and goes on', async () => {
    const data = tempDir();
    imageFolder(join(data, 'train'), ['a', 'b'], 3);
    imageFolder(join(data, 'val'), ['a', 'b'], 1);
    const bad = join(data, 'train', 'b', '9.jpg');
    copyFileSync('tests/fixtures/data/photos/truncated.jpg', bad);
    const r = await cli(['train', '--data', data, '--epochs', '1', '--batch-size', '7', '--threads', '1', '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^simdnn: readImage: ${bad}: corrupt JPEG \\([^\n]+\\)\n$`));
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const s = await cli(['train', '--data', data, '--epochs', '2', '--batch-size', '7', '--threads', '1', '--skip-bad-images', '--out', tempDir()]);
      expect(s.err).toBe('');
      expect(s.code).toBe(0);
      expect(s.out).toContain('(image folder: 7 train, 2 test, 2 classes)');
    } finally {
      console.warn = warn;
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^simdnn: skipping readImage: ${bad}: corrupt JPEG \\([^\n]+\\) \\(--skip-bad-images: using the next image instead\\)$`));
  });

  it('bench --builtin measures LeNet-5 training and says so', async () => {
    const r = await cli(['bench', '--builtin', '--seconds', '0.6', '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^--builtin: measuring LeNet-5 training throughput \(built-in/);
    expect(r.out).toMatch(/LeNet-5 training: \d+ images\/s \(median of 5 windows; 1 thread\(s\), baseline SIMD\)/);
  });
});
