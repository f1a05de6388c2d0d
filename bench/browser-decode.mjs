// Photo decoding in a browser: the AlexNet input pipeline (decode, resize 256, random 224 crop,
// flip, PCA colour, normalize, batches of 32) in headless Chromium (cross-origin isolated), on
// the generated 500x375 JPEGs of `node bench/run.mjs data` (.bench/photos-2000, made when
// missing): simdnn's ImageBlobDataset with 1 and 2 decoding workers, beside the same work as a
// tfjs user writes it (createImageBitmap + tf.browser.fromPixels + tf.image.resizeBilinear +
// slice/reverse/add/sub/div + stack, on the page's thread, tfjs-backend-wasm and -cpu), and a
// plain createImageBitmap + getImageData on the page's thread (full size, nothing else).
// Pipelines take turns, round after round, so load from other processes hits them alike; each
// cell is the median of the rounds. See bench/lib/browser-decode-pipelines.mjs for each side.
//   npm run build && node bench/run.mjs browser-decode [--quick] [--photos N] [--rounds R]
// --quick (or BENCH_QUICK=1): 128 photos, one round.
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../scripts/serve.mjs';
import { launchChromium } from '../scripts/chromium.mjs';
import { photoFolder } from './lib/photo-folder.mjs';
import { bundleTfjsForBrowser } from './lib/tfjs-browser-bundle.mjs';
import { median } from './lib/timing.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const FOLDER = 2000; // the data bench's folder
const N = opt('--photos', Number(process.env.N_PHOTOS ?? (quick ? 128 : 512)));
const ROUNDS = opt('--rounds', Number(process.env.ROUNDS ?? (quick ? 1 : 3)));
const BATCH = 32, WARM = 2;
if (!(Number.isInteger(N) && N >= (WARM + 1) * BATCH && N <= FOLDER)) throw new Error(`--photos must be an integer in [${(WARM + 1) * BATCH}, ${FOLDER}], got ${N}`);

const repo = fileURLToPath(new URL('..', import.meta.url));
const root = await photoFolder(FOLDER);
// ImageFolder's order (classes sorted, files sorted), then every (FOLDER / N)-th file: all four classes.
const all = readdirSync(root).filter((c) => c.startsWith('class')).sort()
  .flatMap((c) => readdirSync(join(root, c)).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(root, c, f)));
const picked = Array.from({ length: N }, (_, i) => all[Math.floor((i * all.length) / N)]);
const urls = picked.map((f) => '/' + relative(repo, f).split('\\').join('/'));
await bundleTfjsForBrowser();

const configs = [
  { name: 'simdnn ImageBlobDataset + DataLoader', where: '1 decoding worker + page', kind: 'simdnn', opts: { workers: 1 } },
  { name: 'simdnn ImageBlobDataset + DataLoader', where: '2 decoding workers + page', kind: 'simdnn', opts: { workers: 2 } },
  { name: 'tfjs (wasm): fromPixels + resizeBilinear + ops', where: 'page', kind: 'tfjs', opts: { backend: 'wasm' } },
  { name: 'tfjs (cpu): fromPixels + resizeBilinear + ops', where: 'page', kind: 'tfjs', opts: { backend: 'cpu' } },
  { name: 'plain createImageBitmap + getImageData (full size only)', where: 'page', kind: 'plain', opts: {} },
];
for (const c of configs) c.results = [];

const server = await serve({ isolated: true });
const browser = await launchChromium();
const page = await browser.context.newPage();
let version = '';
try {
  await page.goto(`${server.url}/bench/lib/browser-decode-page.html`);
  await page.waitForFunction(() => window.pageReady === true);
  if (!(await page.evaluate(() => self.crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated');
  version = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent);
  await page.evaluate((u) => window.loadPhotos(u), urls);
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of configs) {
      const res = await page.evaluate(([kind, o]) => window.runPipeline(kind, o), [c.kind, { ...c.opts, batchSize: BATCH, warm: WARM }]);
      c.shape = res.shape;
      if (res.threads > 1) c.where = `page + ${res.threads} tfjs-wasm threads`;
      c.results.push(res);
    }
  }
} finally {
  await page.close();
  await browser.close();
  await server.close();
}

const ips = (c) => median(c.results.map((r) => r.ips));
const tfWasm = configs.find((c) => c.kind === 'tfjs' && c.opts.backend === 'wasm');
console.log(`\nAlexNet pipeline in ${version} (headless, --disable-gpu, cross-origin isolated): decode, resize 256, random 224 crop, flip, PCA colour, normalize,`);
console.log(`batch ${BATCH}; ${N} of the ${FOLDER} generated 500x375 JPEGs in ${relative(repo, root)} (every ${(FOLDER / N).toFixed(1)}-th file, in memory as Blobs),`);
console.log(`images/s over the ${Math.floor(N / BATCH) - WARM} batches after ${WARM} warm-up batches, median of ${ROUNDS} round(s); ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0].toFixed(1)} at the end`);
console.table(configs.map((c) => ({
  pipeline: c.name, 'runs on': c.where, 'batch shape': c.shape.join('x'),
  'images/s': +ips(c).toFixed(1), 'ms/image': +(1000 / ips(c)).toFixed(1), 'vs tfjs (wasm)': +(ips(c) / ips(tfWasm)).toFixed(2),
})));
console.log('Differences the two sides keep: simdnn resizes with createImageBitmap\'s resizeQuality \'high\' (antialiased) and gives NCHW floats;');
console.log('tf.image.resizeBilinear does not antialias and gives NHWC. tfjs decodes with createImageBitmap on the page (Chromium decodes');
console.log('those off the page\'s thread too); the tfjs and plain runs start the next batch\'s decodes before building this one, as for await does.');
console.log('Measured on a shared machine: compare the ratios inside one run, not numbers across runs.');
