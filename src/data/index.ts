// `sn.data`: the browser-safe half of the data pipeline (no Node built-ins, no
// dependencies). File readers (IDX/CIFAR files, image folders with PNG/JPEG,
// the embedded digits from node_modules) are in ./node/ for the CLI.
export { image, type Image, type RandomOptions } from './image.js';
export { randomCrop, centerCrop, pad, type RandomCropOptions } from './crop.js';
export { horizontalFlip, verticalFlip, type FlipOptions } from './flip.js';
export { randomResizedCrop, randomResizedCropBox, resizedCrop, type Box, type RandomResizedCropOptions } from './resized-crop.js';
export { colorJitter, colorJitterParams, applyColorJitter, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, type ColorJitterOptions, type ColorJitterParams } from './color-jitter.js';
export { rotate, randomRotation, type RandomRotationOptions } from './rotate.js';
export { randomErasing, randomErasingBox, erase, type RandomErasingOptions } from './erasing.js';
export { fiveCrop, tenCrop } from './multi-crop.js';
export { grayscale } from './grayscale.js';
export { compose, type ImageTransform } from './compose.js';
export { normalize } from './normalize.js';
export { resize, resizeTo } from './resize.js';
export { PcaColorAugment, type PcaApplyOptions } from './pca-color.js';
export { symmetricEigen3 } from './eigen3.js';
export { ImageArrayDataset, Subset, type Dataset, type Sample, type ImageArrayOptions } from './dataset.js';
export { DataLoader, type DataLoaderOptions, type Transform } from './dataloader.js';
export { Batch } from './batch.js';
export { decodeImageBlob, type DecodeImageOptions, type ImageSource, type ResizeQuality } from './blob-decode.js';
export { ImageBlobDataset, type ImageBlobItem, type ImageBlobDatasetOptions } from './blob-dataset.js';
export { parseIdx, readIdx, idxDataset, type IdxArray } from './idx.js';
export { cifar10Dataset, CIFAR10_CLASSES } from './cifar.js';
export { cifar100Dataset, CIFAR100_CLASSES, CIFAR100_COARSE_CLASSES } from './cifar100.js';
export { parseDigitJson, digitsDatasets } from './digits.js';
export { Rng } from '../random.js';
