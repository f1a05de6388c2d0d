// One configuration of bench/lib/photo-folder-bench.mjs, in its own process:
// argv root decoder workers batchSize maxBatches; prints { images, ips, perCpu } as JSON.
// The first `prefetch` batches (2 per worker) are the warm-up: the workers' imports and first
// decodes, until as many batches are in flight as in the steady state; the timing starts after them.
import { WorkerDataLoader } from '../../dist/node.js';

const [root, decoder, workers, batchSize, maxBatches] = process.argv.slice(2);
const wl = new WorkerDataLoader(new URL('./alexnet-folder-pipeline.mjs', import.meta.url), { args: { root, batchSize: Number(batchSize), seed: 1, decoder }, workers: Number(workers) });
const it = wl.batches(0);
const warm = wl.prefetch;
for (let b = 0; b < warm; b++) it.next();
const u0 = process.cpuUsage(), t0 = performance.now();
let images = 0;
for (let b = warm; b < Math.min(Number(maxBatches), wl.length); b++) images += it.next().value.size;
const ms = performance.now() - t0, u = process.cpuUsage(u0);
it.return();
wl.close();
console.log(JSON.stringify({ images, ips: (images / ms) * 1000, perCpu: images / ((u.user + u.system) / 1e6) }));
