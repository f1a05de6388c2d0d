import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { confusionMatrix, filterGrid, plotPoints } from '../../src/cli/report/pictures.js';
import { cli, tempDir } from './cli-helpers.js';

describe('the run report', () => {
  it('training writes report.html and the PNG pictures; simdnn report rebuilds the same page', async () => {
    const out = tempDir();
    expect((await cli(['train', '--train-size', '128', '--test-size', '60', '--epochs', '2', '--threads', '1', '--out', out])).code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<table id="confusion" data-classes="10">');
    expect(html).not.toMatch(/\b(https?|ftp):/);
    expect(html.match(/<polyline/g)).toHaveLength(5); // 2 loss, 2 accuracy, 1 learning rate
    for (const f of ['loss.png', 'accuracy.png', 'lr.png', 'confusion.png', 'filters.png']) {
      const png = PNG.sync.read(readFileSync(join(out, f)));
      expect(png.width * png.height, f).toBeGreaterThan(100);
    }
    const r = await cli(['report', out, '--threads', '1']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html); // the same validation pass, the same page
    const none = await cli(['report', tempDir(), '--threads', '1']);
    expect(none.code).toBe(2);
  }, 60_000);

  it('confusion counts, curve scaling and the filter grid layout', () => {
    expect(confusionMatrix(Int32Array.from([0, 0, 1, 2, 2]), Int32Array.from([0, 1, 1, 2, 0]), 3)).toEqual([[1, 1, 0], [0, 1, 0], [1, 0, 1]]);
    const [line] = plotPoints([{ testLoss: 2 }, { testLoss: 1 }, { testLoss: 1.5 }], ['testLoss'], 100, 50, 0);
    expect(line.points.map(([x]) => x)).toEqual([0, 50, 100]);
    expect(line.points[0][1]).toBeLessThan(line.points[2][1]); // higher loss drawn higher
    expect(line.points[2][1]).toBeLessThan(line.points[1][1]);
    const grid = filterGrid(Float32Array.from({ length: 6 * 3 * 5 * 5 }, (_, i) => Math.sin(i)), [6, 3, 5, 5], 2);
    expect([grid.width, grid.height]).toEqual([3 * 12 + 2, 2 * 12 + 2]); // 3 columns x 2 rows of 5·2 pixels + 2 gap
  });
});
