// A run's report.html (simdnn train writes it; simdnn report rebuilds it) in
// headless Chromium: it loads from the file alone (every request is recorded:
// only the file and data: URIs), the curves are drawn, the confusion matrix is
// classes x classes, the filter grid and the worst images are pictures.
// Screenshot: test-artifacts/report.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../../scripts/chromium.mjs';

let browser, run;

before(async () => {
  mkdirSync('test-artifacts', { recursive: true });
  run = mkdtempSync(join(tmpdir(), 'simdnn-report-'));
  // dist/cli.js is built by `npm run test:browser` (scripts/bundle.mjs).
  const r = spawnSync(process.execPath, ['bin/simdnn.js', 'train', '--train-size', '400', '--test-size', '200', '--epochs', '3', '--threads', '1', '--out', run], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rebuilt = spawnSync(process.execPath, ['bin/simdnn.js', 'report', run, '--threads', '1'], { encoding: 'utf8' });
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, /wrote .*report\.html and loss\.png, accuracy\.png, lr\.png, confusion\.png, filters\.png, worst\.png/);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (run) rmSync(run, { recursive: true, force: true });
});

test('report.html renders offline: curves, a 10x10 confusion matrix, per-class accuracy, filters, worst images', async () => {
  const html = readFileSync(join(run, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /\b(https?|ftp|wss?):/i, 'no external URL in the page');
  const links = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]);
  assert.ok(links.length > 0 && links.every((u) => u.startsWith('data:image/png;base64,')), 'every src is an inline picture');
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(join(run, 'report.html')).href);
  const facts = await page.evaluate(() => {
    const polyPoints = (id) => [...document.querySelectorAll(`#${id} polyline`)].map((p) => p.getAttribute('points').trim().split(/\s+/).length);
    const box = (el) => el && el.getBoundingClientRect();
    const filters = document.querySelector('#filters');
    return {
      loss: polyPoints('loss-curve'), accuracy: polyPoints('accuracy-curve'), lr: polyPoints('lr-curve'),
      lossBox: box(document.querySelector('#loss-curve svg'))?.width ?? 0,
      rows: document.querySelectorAll('#confusion tr').length,
      cells: [...document.querySelectorAll('#confusion tr')].slice(1).map((tr) => tr.querySelectorAll('td').length),
      total: [...document.querySelectorAll('#confusion td')].reduce((s, td) => s + Number(td.textContent), 0),
      perClass: document.querySelectorAll('#per-class tr').length,
      filters: filters ? [filters.naturalWidth, filters.naturalHeight, filters.complete] : null,
      worst: [...document.querySelectorAll('.worst img')].filter((i) => i.complete && i.naturalWidth > 0).length,
    };
  });
  await page.screenshot({ path: 'test-artifacts/report.png', fullPage: true });
  await page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), [], 'nothing fetched');
  assert.deepEqual(facts.loss, [3, 3]); // train and validation loss, one point per epoch
  assert.deepEqual(facts.accuracy, [3, 3]);
  assert.deepEqual(facts.lr, [3]);
  assert.ok(facts.lossBox > 100);
  assert.equal(facts.rows, 11); // header + 10 digits
  assert.deepEqual(facts.cells, new Array(10).fill(10));
  assert.equal(facts.total, 200);
  assert.equal(facts.perClass, 11);
  assert.ok(facts.filters && facts.filters[0] > 20 && facts.filters[1] > 20 && facts.filters[2], `filter grid: ${facts.filters}`);
  assert.ok(facts.worst > 0 && facts.worst <= 12, `worst images: ${facts.worst}`);
});
