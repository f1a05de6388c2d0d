import { allocPixels } from './scratch.js';
import type { Image } from './image.js';

/** b / 255 for every byte b: torchvision's ToTensor of an 8-bit image, in float32. */
export const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/**
 * The 8-bit pixels behind an image whose floats are not made yet. Crops and
 * flips move bytes (a quarter of the memory of floats), and the per-channel
 * ops that follow them (PCA colour, normalize) only change what each byte
 * value of a channel becomes: `luts[c][b]`, kept in float32 and updated with
 * the same float32 roundings the float path makes. The floats are made once,
 * at the end, in one pass (into the batch, see `writePixels`), and equal the
 * float path's bit for bit.
 */
export interface PendingBytes {
  /** Interleaved pixels, `stride` bytes each; stride 1 with several channels: one gray byte for every channel. */
  readonly bytes: Uint8Array;
  readonly stride: number;
  /** Per channel: the float32 each byte value becomes. */
  readonly luts: readonly Float32Array[];
}

// A property under a registered symbol, not a module-local WeakMap: dist/node.js (ImageFolderDataset)
// and dist/index.js (the transforms) each bundle this file, and both must see the same bytes.
// Not enumerable, so `{ ...img }` copies the floats only.
const PENDING = Symbol.for('simdnn.pendingBytes');
type WithPending = Image & { [PENDING]?: PendingBytes };

/**
 * An Image over 8-bit interleaved pixels whose `data` (CHW floats, byte / 255
 * through `luts`) is made the first time it is read. Transforms that know byte
 * images (crops, flips, PCA colour, normalize) use the bytes while `data` has
 * not been read; any other code just reads `data`. Once read (or assigned),
 * the image is an ordinary float image: in-place edits of `data` are kept.
 */
export function byteImage(bytes: Uint8Array, stride: number, channels: number, height: number, width: number, luts?: readonly Float32Array[]): Image {
  const src: PendingBytes = { bytes, stride, luts: luts ?? Array.from({ length: channels }, () => BYTE_TO_UNIT) };
  let data: Float32Array | null = null;
  const img = { channels, height, width } as WithPending;
  Object.defineProperty(img, PENDING, { value: src, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(img, 'data', {
    enumerable: true,
    configurable: true,
    get(): Float32Array {
      if (data === null) {
        data = allocPixels(channels * height * width);
        writeFloats(src, channels, height * width, data, 0);
        img[PENDING] = undefined;
      }
      return data;
    },
    set(v: Float32Array) {
      data = v;
      img[PENDING] = undefined;
    },
  });
  return img;
}

/** The bytes behind `img` while its floats have not been made (else undefined: use `img.data`). */
export function pendingBytes(img: Image): PendingBytes | undefined {
  return (img as WithPending)[PENDING];
}

/**
 * A byte image like `img` (whose bytes are `src`) with `f(value, channel)`
 * applied to every float it stands for: `f` runs once per byte value and
 * channel, and its result is rounded to float32 as a Float32Array store would round it.
 */
export function mapPendingChannels(img: Image, src: PendingBytes, f: (v: number, c: number) => number): Image {
  const luts = src.luts.map((lut, c) => {
    const out = new Float32Array(256);
    for (let b = 0; b < 256; b++) out[b] = f(lut[b], c);
    return out;
  });
  return byteImage(src.bytes, src.stride, img.channels, img.height, img.width, luts);
}

/** `img`'s CHW floats written into `out` from `offset` (a batch row): from its bytes in one pass if they are pending. */
export function writePixels(img: Image, out: Float32Array, offset: number): void {
  const src = (img as WithPending)[PENDING];
  if (src === undefined) out.set(img.data, offset);
  else writeFloats(src, img.channels, img.height * img.width, out, offset);
}

function writeFloats({ bytes, stride, luts }: PendingBytes, channels: number, plane: number, out: Float32Array, offset: number): void {
  if (channels === 3 && stride >= 3) {
    // RGB(A): one pass over the pixels, writing the three planes side by side.
    const [l0, l1, l2] = luts, o1 = offset + plane, o2 = offset + 2 * plane;
    for (let i = 0, s = 0; i < plane; i++, s += stride) {
      out[offset + i] = l0[bytes[s]];
      out[o1 + i] = l1[bytes[s + 1]];
      out[o2 + i] = l2[bytes[s + 2]];
    }
    return;
  }
  for (let c = 0; c < channels; c++) {
    const lut = luts[c];
    const o = offset + c * plane;
    for (let i = 0, s = stride === 1 ? 0 : c; i < plane; i++, s += stride) out[o + i] = lut[bytes[s]];
  }
}
