// The library as users get it in a browser without our tooling:
//  - CDN style: dist/index.js copied alone next to a page as simdnn.js and
//    imported with <script type="module">;
//  - through a bundler: esbuild, platform 'browser', no externals, which fails
//    if any `node:` import is reachable by the bundler (they must stay behind
//    isNode() as run-time imports it cannot follow).
// Both pages run a seeded LeNet-5 forward on 2 threads and must give Node's bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as sn from '../../dist/index.js';
import { serve } from '../../scripts/serve.mjs';
import { launchChromium } from '../../scripts/chromium.mjs';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

// Runs on the page as it is written here, and in Node below with the same `sn`.
async function forwardLogits(sn) {
  await sn.init({ threads: 2 });
  const model = sn.models.lenet5({ seed: 3 });
  const x = sn.tensor(Float32Array.from({ length: 2 * 1024 }, (_, i) => (i % 17) / 17 - 0.5), [2, 1, 32, 32]);
  const logits = Array.from(sn.noGrad(() => model.forward(x)).toFloat32Array());
  const threads = sn.backendInfo().threads;
  sn.shutdown();
  return { threads, logits };
}
const PAGE = (src) => `<!doctype html><meta charset="utf-8"><script type="module">
import * as sn from '${src}';
${forwardLogits.toString()}
window.result = forwardLogits(sn).catch((e) => ({ error: String(e.stack ?? e) }));
</script>`;

let dir;
let server;
let browser;
let expected;

before(async () => {
  expected = await forwardLogits(sn);
  dir = mkdtempSync(join(tmpdir(), 'simdnn-single-'));
  copyFileSync(DIST, join(dir, 'simdnn.js'));
  writeFileSync(join(dir, 'cdn.html'), PAGE('./simdnn.js'));
  writeFileSync(join(dir, 'entry.js'), `export * from ${JSON.stringify(DIST)};`);
  writeFileSync(join(dir, 'bundled.html'), PAGE('./bundled.js'));
  server = await serve({ root: dir, isolated: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runPage(name) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${server.url}/${name}`);
    const r = await page.evaluate(() => window.result);
    assert.deepEqual(errors, []);
    return r;
  } finally {
    await page.close();
  }
}

test('CDN style: dist/index.js alone, imported as ./simdnn.js, gives Node\'s logits on 2 threads', async () => {
  const r = await runPage('cdn.html');
  assert.equal(r.error, undefined);
  assert.equal(r.threads, 2);
  assert.deepEqual(r.logits, expected.logits);
});

test('bundled by esbuild for the browser with no externals: no node: import is reachable, same logits', async () => {
  const out = await build({ entryPoints: [join(dir, 'entry.js')], outfile: join(dir, 'bundled.js'), bundle: true, format: 'esm', platform: 'browser', logLevel: 'silent' });
  assert.deepEqual(out.errors, []);
  const r = await runPage('bundled.html');
  assert.equal(r.error, undefined);
  assert.equal(r.threads, 2);
  assert.deepEqual(r.logits, expected.logits);
});
