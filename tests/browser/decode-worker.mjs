// ImageBlobDataset inside a module worker (where a training loop runs): its
// decoding workers are nested ones, and relative URLs must be resolved against
// this worker's address before they reach them (theirs is a blob: URL). Answers { files, opts } with the batches.
import * as sn from '../../dist/index.js';

self.onmessage = async ({ data: { files, opts } }) => {
  try {
    const ds = new sn.data.ImageBlobDataset(files.map((f, i) => ({ source: `/tests/fixtures/data/photos/${f}`, label: i, name: f })), opts);
    const batches = [];
    for await (const b of new sn.data.DataLoader(ds, { batchSize: 2 })) batches.push({ shape: b.shape, px: Array.from(b.data, (v) => Math.round(v * 255)) });
    const workers = ds.workers;
    ds.close();
    self.postMessage({ workers, batches });
  } catch (e) {
    self.postMessage({ error: e.message });
  }
};
