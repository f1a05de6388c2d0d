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
export interface PendingBytes extends BytesLayout {
  /** Interleaved pixels, `stride` bytes each; stride 1 with several channels: one gray byte for every channel. */
  readonly bytes: Uint8Array;
  readonly stride: number;
  /** Per channel: the float32 each byte value becomes. */
  readonly luts: readonly Float32Array[];
}

/**
 * Where pixel (y, x) starts in the bytes: `offset + y·rowStep + x·pixelStep`.
 * A crop or a mirror is a new layout over the same bytes (nothing copied):
 * the floats are read through it once, into the batch.
 */
export interface BytesLayout {
  readonly offset: number;
  readonly rowStep: number;
  readonly pixelStep: number;
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
export function byteImage(bytes: Uint8Array, stride: number, channels: number, height: number, width: number, luts?: readonly Float32Array[],
  layout: BytesLayout = { offset: 0, rowStep: width * stride, pixelStep: stride }): Image {
  const { offset, rowStep, pixelStep } = layout;
  const src: PendingBytes = { bytes, stride, luts: luts ?? Array.from({ length: channels }, () => BYTE_TO_UNIT), offset, rowStep, pixelStep };
  let data: Float32Array | null = null;
  const img = { channels, height, width } as WithPending;
  Object.defineProperty(img, PENDING, { value: src, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(img, 'data', {
    enumerable: true,
    configurable: true,
    get(): Float32Array {
      if (data === null) {
        data = allocPixels(channels * height * width);
        writeFloats(src, channels, height, width, data, 0);
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
  return byteImage(src.bytes, src.stride, img.channels, img.height, img.width, luts, src);
}

/** The `h`x`w` window at (top, left) of a byte image, as a layout over the same bytes. */
export function cropPending(img: Image, src: PendingBytes, top: number, left: number, h: number, w: number): Image {
  const { rowStep, pixelStep } = src;
  return byteImage(src.bytes, src.stride, img.channels, h, w, src.luts, { offset: src.offset + top * rowStep + left * pixelStep, rowStep, pixelStep });
}

/** A byte image mirrored left-right, as a layout over the same bytes: each row read from its end. */
export function mirrorPending(img: Image, src: PendingBytes): Image {
  const { rowStep, pixelStep } = src;
  return byteImage(src.bytes, src.stride, img.channels, img.height, img.width, src.luts, { offset: src.offset + (img.width - 1) * pixelStep, rowStep, pixelStep: -pixelStep });
}

/** Whether every pixel of an `height`x`width` image through `src`'s layout lies inside its bytes. */
export function layoutFits(src: PendingBytes, height: number, width: number): boolean {
  const { offset, rowStep, pixelStep } = src;
  const corners = [0, (height - 1) * rowStep, (width - 1) * pixelStep, (height - 1) * rowStep + (width - 1) * pixelStep].map((d) => offset + d);
  return Math.min(...corners) >= 0 && Math.max(...corners) + src.stride <= src.bytes.length;
}

/** `img`'s CHW floats written into `out` from `offset` (a batch row): from its bytes in one pass if they are pending. */
export function writePixels(img: Image, out: Float32Array, offset: number): void {
  const src = (img as WithPending)[PENDING];
  if (src === undefined) out.set(img.data, offset);
  else writeFloats(src, img.channels, img.height, img.width, out, offset);
}

/** The CHW floats of `height`x`width` pixels read through `src`'s layout, written from `out[o]`. */
function writeFloats(src: PendingBytes, channels: number, height: number, width: number, out: Float32Array, o: number): void {
  const { bytes, stride, luts, offset, rowStep, pixelStep } = src;
  const plane = height * width;
  if (channels === 3 && stride >= 3) {
    // RGB(A): one pass over the pixels, writing the three planes side by side.
    const [l0, l1, l2] = luts, o1 = o + plane, o2 = o + 2 * plane;
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0, s = offset + y * rowStep; x < width; x++, i++, s += pixelStep) {
        out[o + i] = l0[bytes[s]];
        out[o1 + i] = l1[bytes[s + 1]];
        out[o2 + i] = l2[bytes[s + 2]];
      }
    }
    return;
  }
  for (let c = 0; c < channels; c++) {
    const lut = luts[c];
    const first = offset + (stride === 1 ? 0 : c);
    for (let y = 0, i = o + c * plane; y < height; y++) {
      for (let x = 0, s = first + y * rowStep; x < width; x++, i++, s += pixelStep) out[i] = lut[bytes[s]];
    }
  }
}
