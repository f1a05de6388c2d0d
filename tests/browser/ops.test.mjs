// Headless Chromium: the functional ops (wasm exp/log/tanh, dropout masks from
// the seed, LRN, batch norm) give the same output and gradient bytes as Node,
// for 1 and 2 threads. Needs dist/index.js: run through `npm run test:browser`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openCheckPage, startBrowser } from './lib.mjs';
import { runOpsChecks } from './ops-check.mjs';

let env;
let node;

before(async () => {
  node = await runOpsChecks([1, 2]);
  assert.equal(node[1].threads, 2);
  assert.deepEqual(node[1].hashes, node[0].hashes, 'Node: 2 threads differ from 1');
  env = await startBrowser({ plain: false });
});

after(async () => {
  await env?.close();
});

test('cross-origin isolated page: same bytes as Node for 1 and 2 threads', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/ops-page.html`);
  try {
    const runs = await page.evaluate(() => window.runOnPage());
    assert.deepEqual(runs.map((r) => r.threads), [1, 2]);
    for (const r of runs) assert.deepEqual(r.hashes, node[0].hashes);
  } finally {
    await page.close();
  }
});
