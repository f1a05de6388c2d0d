// Headless Chromium: the same seeded LeNet-5 run (initial weights from a seed,
// 3 SGD steps on fixed embedded digits, a forward pass) gives the same loss,
// logit and weight bytes as Node, with 1 and 2 threads, cross-origin isolated
// (shared memory, 2 real threads) and not (1 thread). Needs dist/index.js: run
// through `npm run test:browser`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openCheckPage, startBrowser } from './lib.mjs';
import { loadFixedDigits, readClassNode, runLenetChecks } from './lenet-check.mjs';

let env;
let node;

before(async () => {
  node = await runLenetChecks(await loadFixedDigits(readClassNode), [1, 2]);
  assert.equal(node[1].info.threads, 2);
  assert.deepEqual(node[1].hashes, node[0].hashes, 'Node: 2 threads differ from 1');
  // The run must train: the loss goes down over the 3 steps.
  assert.ok(node[0].losses[2] < node[0].losses[0], `losses ${node[0].losses}`);
  env = await startBrowser();
});

after(async () => {
  await env?.close();
});

for (const isolated of [true, false]) {
  for (const where of ['page', 'worker']) test(`${isolated ? 'cross-origin isolated' : 'not isolated'}, ${where}: same LeNet-5 bytes as Node for 1 and 2 threads`, async () => {
    const page = await openCheckPage(env.browser, `${env.url(isolated)}/tests/browser/lenet-page.html`);
    try {
      const r = await page.evaluate(where === 'page' ? () => window.runOnPage([1, 2]) : () => window.runInWorker([1, 2]));
      assert.equal(r.crossOriginIsolated, isolated);
      assert.deepEqual(r.runs.map((x) => x.info), [
        { threads: 1, simd: 'baseline', sharedMemory: isolated },
        { threads: isolated ? 2 : 1, simd: 'baseline', sharedMemory: isolated },
      ]);
      for (const run of r.runs) {
        assert.deepEqual(run.losses, node[0].losses);
        assert.deepEqual(run.hashes, node[0].hashes);
      }
    } finally {
      await page.close();
    }
  });
}
