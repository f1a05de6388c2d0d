// Run by tests/user/no-sharp.test.ts in a project where sharp is installed but
// its native binary is not (an offline install, an unsupported platform): an
// image folder trained on as the docs show, with `for await` (sharp's async path).
import * as sn from 'simdnn';
import { ImageFolderDataset } from 'simdnn/node';

await sn.init({ threads: 1 });
const ds = new ImageFolderDataset(process.argv[2], { resize: 12 });
const loader = new sn.data.DataLoader(ds, { batchSize: 2, transform: (img) => sn.data.centerCrop(img, 12) });
const batches = [];
for (let epoch = 0; epoch < 2; epoch++) {
  for await (const b of loader) batches.push({ shape: b.shape, data: Array.from(b.data) });
}
console.log(JSON.stringify({ files: ds.files, batches }));
