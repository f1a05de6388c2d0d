// One configuration of bench/lib/photo-folder-bench.mjs, in its own process:
// argv root decoder workers batchSize maxBatches; prints { images, ips, perCpu } as JSON.
// The first `prefetch` batches (2 per worker) are the warm-up: the workers' imports and first
// decodes, until as many batches are in flight as in the steady state; the timing starts after them.
// Each batch is taken as a training loop takes it, as the tensor `x` (a copy into wasm memory on
// this thread, counted), as torchvision's side ends with its collated tensors; the loader then
// reuses the batch's array (src/data/batch.ts). `threads`: the CPU ms per image by kind of thread
// and the context switches per image (bench/lib/thread-cpu.mjs; Linux).
import { stat } from 'node:fs/promises';
import { cpuByThreadKind, threadCpu } from './thread-cpu.mjs';

// Node's own threads before the data workers start: V8's platform threads and libuv's pool (started
// here, if the module loader has not, by one asynchronous file operation: libuv starts all its threads then).
await stat('.');
const early = threadCpu();
const sn = await import('../../dist/index.js');
const { WorkerDataLoader } = await import('../../dist/node.js');

await sn.init({ threads: 1 });

const [root, decoder, workers, batchSize, maxBatches] = process.argv.slice(2);
const wl = new WorkerDataLoader(new URL('./alexnet-folder-pipeline.mjs', import.meta.url), { args: { root, batchSize: Number(batchSize), seed: 1, decoder }, workers: Number(workers) });
const it = wl.batches(0);
const warm = wl.prefetch;
for (let b = 0; b < warm; b++) it.next().value.x;
const c0 = threadCpu(), u0 = process.cpuUsage(), t0 = performance.now();
let images = 0;
for (let b = warm; b < Math.min(Number(maxBatches), wl.length); b++) {
  const batch = it.next().value;
  batch.x;
  images += batch.size;
}
const ms = performance.now() - t0, u = process.cpuUsage(u0), c1 = threadCpu();
it.return();
wl.close();
sn.shutdown();
console.log(JSON.stringify({ images, ips: (images / ms) * 1000, perCpu: images / ((u.user + u.system) / 1e6), batchBuffers: wl.batchBuffers, threads: cpuByThreadKind(early, c0, c1, images) }));
