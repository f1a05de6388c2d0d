import { SimdnnError } from '../errors.js';
import { ImageArrayDataset } from './dataset.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const RECORD = 1 + 3 * 32 * 32;

/**
 * CIFAR-10's binary batches (data_batch_1.bin … test_batch.bin): records of one
 * label byte then 3072 pixel bytes, the red, green and blue 32x32 planes (CHW
 * already). Several files concatenate in the order given; `name` is each file's
 * path for error messages.
 */
export function cifar10Dataset(files: { bytes: Uint8Array; name: string }[]): ImageArrayDataset {
  const op = 'readCifar10';
  if (!Array.isArray(files) || files.length === 0) throw new SimdnnError(op, 'needs at least one batch file');
  let total = 0;
  for (const { bytes, name } of files) {
    if (!(bytes instanceof Uint8Array)) throw new SimdnnError(op, `${name}: expected the file contents as a Uint8Array`);
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new SimdnnError(op, `${name}: ${bytes.length} bytes is not a whole number of ${RECORD}-byte records (1 label + 3072 pixels): ${Math.floor(bytes.length / RECORD)} records and ${bytes.length % RECORD} bytes left over (truncated or not CIFAR-10)`);
    }
    total += bytes.length / RECORD;
  }
  const pixels = new Uint8Array(total * (RECORD - 1));
  const labels = new Int32Array(total);
  let n = 0;
  for (const { bytes, name } of files) {
    for (let r = 0; r < bytes.length / RECORD; r++, n++) {
      const label = bytes[r * RECORD];
      if (label > 9) throw new SimdnnError(op, `${name}: record ${r} has label ${label}, CIFAR-10 labels are 0-9 (is this CIFAR-100, which has 2 label bytes?)`);
      labels[n] = label;
      pixels.set(bytes.subarray(r * RECORD + 1, (r + 1) * RECORD), n * (RECORD - 1));
    }
  }
  return new ImageArrayDataset({ pixels, labels, channels: 3, height: 32, width: 32, classes: CIFAR10_CLASSES });
}
