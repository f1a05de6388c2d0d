// Where the photo pipeline's CPU goes, per image, on one thread (for bench/lib/photo-folder-bench.mjs):
// argv root [images]; prints JSON { decodeMs, buildMs, copyMs } (CPU ms per image).
// - decode: ImageFolderDataset.prepare (readFile, sharp's decode and resize to 256), libuv and libvips threads included;
// - build: the AlexNet transform (crop, flip, PCA colour, normalize on the bytes) and the floats written into the
//   batch, as a worker does it, from images decoded beforehand (the batch array reused, as in a loop that uses x);
// - copy: batch.x, the batch copied into wasm memory on the training thread.
import * as sn from '../../dist/index.js';
import { ImageFolderDataset } from '../../dist/node.js';
import { makeLoader } from './alexnet-folder-pipeline.mjs';

const [root, count = '256'] = process.argv.slice(2);
const N = Number(count), B = 32;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
await sn.init({ threads: 1 });

const ds = new ImageFolderDataset(root, { resize: 256 });
const ids = Array.from({ length: N }, (_, i) => i);
await ds.prepare(ids.slice(0, B)); // warm-up: sharp loaded, libvips started
ids.slice(0, B).forEach((i) => ds.get(i));
let c0 = cpuMs();
for (let i = 0; i < N; i += B) await ds.prepare(ids.slice(i, i + B));
const decodeMs = (cpuMs() - c0) / N;
const images = ids.map((i) => ds.get(i).image);

// The bench's own DataLoader, over the decoded images: the same transform, seeds and batches.
const loader = makeLoader({ root, batchSize: B, seed: 1 });
const decoded = { length: N, get: (i) => ({ image: images[i], label: 0 }) };
const build = new sn.data.DataLoader(decoded, { batchSize: B, shuffle: true, seed: 1, transform: loader.transform });
const EPOCHS = 4;
let buildMs = 0, copyMs = 0;
for (let e = 0; e <= EPOCHS; e++) {
  const it = build.batches(e);
  for (;;) {
    const t0 = cpuMs();
    const { value: batch, done } = it.next();
    const t1 = cpuMs();
    if (done) break;
    batch.x;
    if (e > 0) { // epoch 0 warms up
      buildMs += t1 - t0;
      copyMs += cpuMs() - t1;
    }
  }
}
console.log(JSON.stringify({ decodeMs, buildMs: buildMs / (EPOCHS * N), copyMs: copyMs / (EPOCHS * N) }));
sn.shutdown();
