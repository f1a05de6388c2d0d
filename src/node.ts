// `simdnn/node`: the Node-only dataset readers (node:fs, node:zlib, pngjs,
// jpeg-js), kept out of the platform-neutral main entry. API.md's IDX-file and
// image-folder readers: `import { ImageFolderDataset } from 'simdnn/node'`.
// They return plain datasets (length, get(i) -> { image, label }) for
// `new sn.data.DataLoader(dataset, …)` from the main entry.
export { readIdxFile, readIdxDataset, readMnistFolder } from './data/node/idx-files.js';
export { readCifar10Files, readCifar10Folder, readCifar100Folder } from './data/node/cifar-files.js';
export { loadEmbeddedDigits } from './data/node/digits-files.js';
export { ImageFolderDataset, type ImageFolderOptions } from './data/node/image-folder.js';
export { decodeImageFile } from './data/node/decode-image.js';
// Batches prepared in worker threads (decoding JPEG folders off the training thread).
export { WorkerDataLoader, type WorkerDataLoaderOptions } from './data/node/worker-loader.js';
