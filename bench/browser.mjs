// LeNet-5 training throughput, Node beside headless Chromium (cross-origin
// isolated, so threads share memory) on the same machine, in one run: the same
// step (bench/lib/lenet-train.mjs) on the same dist/index.js, 1 and 2 threads,
// the default 'baseline' SIMD. Chromium is timed in a worker (where the demo
// trains) and on the page's main thread. Rounds alternate Node and Chromium so
// that load from other processes hits both; each cell is the median of the rounds.
//   npm run build && node bench/browser.mjs [--rounds N]
import * as sn from '../dist/index.js';
import { serve } from '../scripts/serve.mjs';
import { launchChromium } from '../scripts/chromium.mjs';
import { lenetImagesPerSec } from './lib/lenet-train.mjs';
import { median } from './lib/timing.mjs';

const argv = process.argv.slice(2);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 3;
const THREADS = [1, 2];

const server = await serve({ isolated: true });
const browser = await launchChromium();
const page = await browser.context.newPage();
const results = { node: {}, worker: {}, page: {} };
try {
  await page.goto(`${server.url}/bench/lib/lenet-page.html`);
  await page.waitForFunction(() => window.pageReady === true);
  if (!(await page.evaluate(() => self.crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated');
  for (let r = 0; r < rounds; r++) {
    for (const threads of THREADS) {
      const add = (where, v) => ((results[where][threads] ??= []).push(v.imagesPerSec), v);
      add('node', await lenetImagesPerSec(sn, { threads }));
      const w = add('worker', await page.evaluate((o) => window.benchInWorker(o), { threads }));
      add('page', await page.evaluate((o) => window.benchOnPage(o), { threads }));
      if (w.threads !== threads) throw new Error(`Chromium ran ${w.threads} threads, not ${threads}`);
    }
  }
} finally {
  await page.close();
  await browser.close();
  await server.close();
}

const cores = (await import('node:os')).availableParallelism();
console.log(`LeNet-5 training, batch 64, SGD momentum, simd baseline; ${cores} cores; median of ${rounds} rounds (each a median of 7 samples)`);
console.log('threads | Node img/s | Chromium worker img/s | worker/Node | Chromium page img/s | page/Node');
console.log('------- | ---------- | --------------------- | ----------- | ------------------- | ---------');
for (const t of THREADS) {
  const n = median(results.node[t]), w = median(results.worker[t]), p = median(results.page[t]);
  console.log(`${String(t).padStart(7)} | ${n.toFixed(0).padStart(10)} | ${w.toFixed(0).padStart(21)} | ${(w / n).toFixed(2).padStart(11)} | ${p.toFixed(0).padStart(19)} | ${(p / n).toFixed(2).padStart(9)}`);
}
