// Headless Chromium: the page of `node bench/run.mjs browser-decode` runs each of its pipelines
// (simdnn ImageBlobDataset at 1 and 2 decoding workers, tfjs wasm and cpu, plain
// createImageBitmap) on 4 committed photos and hands back the batches it timed. A smoke test of
// the benchmark, not a timing check. Needs dist/index.js: run through `npm run test:browser`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bundleTfjsForBrowser } from '../../bench/lib/tfjs-browser-bundle.mjs';
import { openCheckPage, startBrowser } from './lib.mjs';

const PHOTOS = ['photo420.jpg', 'photo444.jpg', 'gray.jpg', 'rgb.png'].map((f) => `/tests/fixtures/data/photos/${f}`);

let env;
before(async () => {
  await bundleTfjsForBrowser();
  env = await startBrowser({ plain: false });
});
after(async () => {
  await env?.close();
});

test('bench browser-decode: every pipeline runs on 4 photos, batches of 2 after 1 warm-up batch', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/bench/lib/browser-decode-page.html`);
  try {
    assert.equal(await page.evaluate((u) => window.loadPhotos(u), PHOTOS), 4);
    const run = (kind, opts) => page.evaluate(([k, o]) => window.runPipeline(k, o), [kind, { ...opts, batchSize: 2, warm: 1 }]);
    const cases = [
      ['simdnn', { workers: 1 }, [2, 3, 224, 224]],
      ['simdnn', { workers: 2 }, [2, 3, 224, 224]],
      ['tfjs', { backend: 'wasm' }, [2, 224, 224, 3]],
      ['tfjs', { backend: 'cpu' }, [2, 224, 224, 3]],
    ];
    for (const [kind, opts, shape] of cases) {
      const r = await run(kind, opts);
      assert.deepEqual(r.shape, shape, `${kind} ${JSON.stringify(opts)}`);
      assert.equal(r.images, 2, `${kind} ${JSON.stringify(opts)}: only the batch after the warm-up is counted`);
      assert.ok(Number.isFinite(r.ips) && r.ips > 0, `${kind} ${JSON.stringify(opts)}: ${r.ips} images/s`);
    }
    // The plain baseline reads the last batch's images at their own size (rgb.png here), RGBA.
    const plain = await run('plain', {});
    assert.equal(plain.images, 2);
    assert.equal(plain.shape[0], 2);
    assert.equal(plain.shape[3], 4);
  } finally {
    await page.close();
  }
});
