// Headless Chromium (Debian's, via playwright-core): the same GEMMs give the
// same bytes as Node, on the page and in a worker, with cross-origin isolation
// (2 threads over SharedArrayBuffer) and without (1 thread + a console hint).
// Needs dist/index.js: run through `npm run test:browser`, which builds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openCheckPage, startBrowser } from './lib.mjs';
import { runGemmChecks } from './gemm-check.mjs';

let env;
let nodeHashes;
const logs = [];

before(async () => {
  const node = await runGemmChecks([1, 2]);
  assert.equal(node.runs[1].info.threads, 2);
  assert.deepEqual(node.runs[1].hashes, node.runs[0].hashes, 'Node: 2 threads differ from 1');
  nodeHashes = node.runs[0].hashes;
  env = await startBrowser();
});

after(async () => {
  await env?.close();
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/browser-threads.log', logs.join('\n') + '\n');
});

function openPage(isolated) {
  return openCheckPage(env.browser, `${env.url(isolated)}/tests/browser/gemm-page.html`, (page) => {
    page.on('console', (m) => logs.push(`[${isolated ? 'isolated' : 'plain'}] ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[${isolated ? 'isolated' : 'plain'}] pageerror: ${e.message}`));
  });
}

const HINT = /Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/;

for (const isolated of [true, false]) {
  for (const where of ['page', 'worker']) {
    test(`${isolated ? 'cross-origin isolated' : 'not isolated'}, ${where}: same bytes as Node`, async () => {
      const page = await openPage(isolated);
      try {
        const r = await page.evaluate(where === 'page' ? () => window.runOnPage() : () => window.runInWorker());
        logs.push(`[${isolated ? 'isolated' : 'plain'}] ${where}: ${JSON.stringify(r)}`);
        assert.equal(r.crossOriginIsolated, isolated);
        const [one, two] = r.runs;
        assert.deepEqual(one.info, { threads: 1, sharedMemory: isolated, simd: 'baseline' });
        assert.deepEqual(two.info, { threads: isolated ? 2 : 1, sharedMemory: isolated, simd: 'baseline' });
        assert.deepEqual(one.hashes, nodeHashes);
        assert.deepEqual(two.hashes, nodeHashes);
        if (isolated) {
          assert.deepEqual(two.warnings, []);
        } else {
          // The hint is printed once per loaded copy of the library.
          assert.equal(two.warnings.length, 1);
          assert.match(two.warnings[0], HINT);
        }
      } finally {
        await page.close();
      }
    });
  }
}
