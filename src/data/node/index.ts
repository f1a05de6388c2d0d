// Node-only data readers (node:fs, node:zlib, pngjs, jpeg-js), for the CLI and
// Node scripts. Not part of the browser bundle: import from here explicitly.
export { readIdxFile, readIdxDataset, readMnistFolder } from './idx-files.js';
export { readCifar10Files, readCifar10Folder, readCifar100Folder } from './cifar-files.js';
export { loadEmbeddedDigits } from './digits-files.js';
export { ImageFolderDataset, type ImageFolderOptions } from './image-folder.js';
export { decodeImageFile } from './decode-image.js';
export { readMaybeGzip } from './read-file.js';
export { WorkerDataLoader, type WorkerDataLoaderOptions } from './worker-loader.js';
