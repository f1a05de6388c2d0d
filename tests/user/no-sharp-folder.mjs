// Run by tests/user/no-sharp.test.ts in a project where sharp is installed but
// its native binary is not (an offline install, an unsupported platform): an
// image folder read as the README shows, with `for await` (sharp's async path)
// and with a WorkerDataLoader of 2 workers whose batches feed the main thread's tensors.
import * as sn from 'simdnn';
import { ImageFolderDataset, WorkerDataLoader } from 'simdnn/node';

export function makeLoader({ root }) {
  const ds = new ImageFolderDataset(root, { resize: 12 });
  return new sn.data.DataLoader(ds, { batchSize: 2, transform: (img) => sn.data.centerCrop(img, 12) });
}

if (process.argv[2]) {
  await sn.init({ threads: 1 });
  const root = process.argv[2];
  const loader = makeLoader({ root });
  const batches = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for await (const b of loader) batches.push({ shape: b.shape, data: Array.from(b.data) });
  }
  const wl = new WorkerDataLoader(new URL(import.meta.url), { args: { root }, workers: 2 });
  const fromWorkers = [];
  for (const b of wl) fromWorkers.push({ data: Array.from(b.data), mean: sn.mean(b.x).item() }); // b.x: a tensor of this thread's runtime
  wl.close();
  console.log(JSON.stringify({ files: loader.dataset.files, batches, fromWorkers }));
}
