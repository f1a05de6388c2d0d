// Image decoding in browsers: createImageBitmap (the browser's own decoders,
// off the page's thread, shrinking JPEGs while decoding when asked for a smaller
// size) and an OffscreenCanvas to read the pixels back, then the same CHW float
// layout as Node's decoders (pixels.ts). Runs in a page or a worker; the pool in
// blob-decoder-pool.ts runs `decodeRgba` in its own workers.
import { check, SimdnnError } from '../errors.js';
import { checkKeys, type Image } from './image.js';
import { firstLine, pixelsToImage } from './pixels.js';

/** What a browser image dataset reads: a File or Blob, or a URL (fetched, same-origin or CORS). */
export type ImageSource = Blob | string;

export type ResizeQuality = 'pixelated' | 'low' | 'medium' | 'high';

export interface DecodeImageOptions {
  /** 3 (RGB, default) or 1 (gray: PIL's convert('L') luma). */
  channels?: 1 | 3;
  /**
   * A number: the shorter side becomes this many pixels, the longer
   * floor(size·long/short) (torchvision's Resize(int), as ImageFolderDataset's
   * `resize`). [height, width]: exactly that size, asked of the decoder at once
   * (`createImageBitmap`'s resizeWidth/resizeHeight: a JPEG is shrunk while it is
   * decoded). Default: the file's own size.
   */
  resize?: number | [number, number];
  /** createImageBitmap's resizeQuality (default 'high': an antialiased filter). */
  resizeQuality?: ResizeQuality;
  /** The file's name in error messages (default: a File's name, the URL, or 'image'). */
  name?: string;
}

/** The request `decodeRgba` runs: plain data, so that it can cross to a worker. */
export interface DecodeRequest {
  source: ImageSource;
  resize: number | [number, number] | null;
  quality: ResizeQuality;
}

/** What `decodeRgba` gives: RGBA bytes, or a one-line reason it could not decode. */
export type DecodeResult = { rgba: Uint8ClampedArray; width: number; height: number } | { error: string };

// The decoding steps below run in the page and in the pool's workers, which get
// their source text (DECODE_STEPS): each refers to nothing outside its body but
// the platform's globals and the other steps.

/** A JPEG with no end-of-image marker after its last scan is truncated (PIL refuses it; a browser shows the part it has, gray below). */
export function jpegTruncated(bytes: Uint8Array): boolean {
  let lastScan = 2;
  for (let i = bytes.length - 2; i >= 2; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xda) { lastScan = i; break; }
  for (let i = lastScan; i < bytes.length - 1; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return false;
  return true;
}

/** Whether a PNG has alpha: colour type 4 or 6, or a tRNS chunk before the image data. */
export function pngHasAlpha(bytes: Uint8Array): boolean {
  if (bytes.length > 25 && (bytes[25] === 4 || bytes[25] === 6)) return true;
  for (let o = 8; o + 8 <= bytes.length;) {
    const len = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
    if (type === 'tRNS') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    o += 12 + len;
  }
  return false;
}

/**
 * A PNG with alpha, decoded by WebCodecs' ImageDecoder with its colours
 * unpremultiplied (a 2D canvas would store them premultiplied: rounded, lost
 * where alpha is 0, while PIL's convert('RGB') keeps them), then made opaque, as
 * convert('RGB') drops alpha before any resize. Null where the browser has no
 * ImageDecoder or gives a frame format this does not read (the canvas path then).
 */
export async function opaquePngPixels(bytes: Uint8Array): Promise<ImageData | null> {
  const Decoder = (globalThis as { ImageDecoder?: new (init: object) => { decode(): Promise<{ image: VideoFrame }>; close(): void } }).ImageDecoder;
  if (typeof Decoder !== 'function') return null;
  const dec = new Decoder({ data: bytes, type: 'image/png', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    const { image } = await dec.decode();
    try {
      const f = image.format ?? '';
      if (!['RGBA', 'RGBX', 'BGRA', 'BGRX'].includes(f)) return null;
      const w = image.displayWidth, h = image.displayHeight;
      const px = new Uint8ClampedArray(w * h * 4);
      await image.copyTo(px, { rect: { x: 0, y: 0, width: w, height: h }, layout: [{ offset: 0, stride: w * 4 }] });
      const bgr = f[0] === 'B';
      for (let i = 0; i < px.length; i += 4) {
        if (bgr) {
          const b = px[i];
          px[i] = px[i + 2];
          px[i + 2] = b;
        }
        px[i + 3] = 255;
      }
      return new ImageData(px, w, h);
    } finally {
      image.close();
    }
  } finally {
    dec.close();
  }
}

/**
 * createImageBitmap of `src` at the size `resize` asks for: [h, w] at once (a
 * JPEG decoder shrinks while decoding), a number as the shorter side (decoded
 * at full size first, for its size), null as it is. Colour management and EXIF
 * rotation off, as PIL and the Node decoders have them.
 */
export async function bitmapAt(src: Blob | ImageData, resize: number | [number, number] | null, quality: ResizeQuality): Promise<ImageBitmap> {
  const base: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'none' as ImageOrientation };
  if (Array.isArray(resize)) return createImageBitmap(src, { ...base, resizeHeight: resize[0], resizeWidth: resize[1], resizeQuality: quality });
  const full = await createImageBitmap(src, base);
  const H = full.height, W = full.width;
  const [h, w] = resize === null ? [H, W] : H <= W ? [resize, Math.floor((resize * W) / H)] : [Math.floor((resize * H) / W), resize];
  if (h === H && w === W) return full;
  const resized = await createImageBitmap(full, { ...base, resizeHeight: h, resizeWidth: w, resizeQuality: quality });
  full.close();
  return resized;
}

/** Decodes one image to RGBA bytes with the steps above, or says in one line why it cannot. */
export async function decodeRgba(req: DecodeRequest): Promise<DecodeResult> {
  try {
    let blob: Blob;
    if (typeof req.source === 'string') {
      const res = await fetch(req.source);
      if (!res.ok) return { error: `cannot fetch (HTTP ${res.status})` };
      blob = await res.blob();
    } else {
      blob = req.source;
    }
    // Decoding starts at once, while the bytes are read for the checks (each is a trip to the browser's blob store).
    const decoding = bitmapAt(blob, req.resize, req.quality).then((bitmap) => ({ bitmap, why: '' }), (e) => ({ bitmap: null, why: String((e as Error)?.message ?? e) }));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    const failed = (why: string) => {
      if (isPng || isJpeg) return { error: `corrupt ${isPng ? 'PNG' : 'JPEG'} (${why})` };
      const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      return { error: `not an image this browser decodes (starts with ${hex || 'nothing: empty file'}; ${why})` };
    };
    let bitmap: ImageBitmap | null = null;
    let why = '';
    if (isJpeg && jpegTruncated(bytes)) {
      why = 'truncated: no end-of-image marker after the last scan';
    } else if (isPng && pngHasAlpha(bytes)) {
      try {
        const opaque = await opaquePngPixels(bytes);
        if (opaque !== null && req.resize === null) {
          (await decoding).bitmap?.close();
          return { rgba: opaque.data, width: opaque.width, height: opaque.height };
        }
        if (opaque !== null) bitmap = await bitmapAt(opaque, req.resize, req.quality);
      } catch (e) {
        why = String((e as Error)?.message ?? e);
      }
    }
    const decoded = await decoding;
    if (bitmap !== null || why !== '') decoded.bitmap?.close();
    else ({ bitmap, why } = decoded);
    if (bitmap === null) return failed(why);
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | null;
    if (ctx === null) return { error: 'this browser gives no 2D OffscreenCanvas context' };
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
  } catch (e) {
    return { error: String((e as Error)?.message ?? e) };
  }
}

/** The steps' source text for a worker, `decodeRgba` last. */
export const DECODE_STEPS: readonly ((...args: never[]) => unknown)[] = [jpegTruncated, pngHasAlpha, opaquePngPixels, bitmapAt, decodeRgba];

/** Whether this runtime has what `decodeRgba` needs. */
export function canDecodeInBrowser(): boolean {
  return typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function';
}

/** The name a source has in error messages. */
export function sourceName(source: ImageSource, name?: string): string {
  if (name !== undefined) return name;
  if (typeof source === 'string') return source;
  return typeof (source as File).name === 'string' && (source as File).name !== '' ? (source as File).name : 'image';
}

/** Checks decode options and turns them into the request for `decodeRgba`. */
export function decodeRequest(source: ImageSource, opts: DecodeImageOptions, op: string): DecodeRequest {
  checkKeys(opts, ['channels', 'resize', 'resizeQuality', 'name'], op);
  const okSource = typeof source === 'string' || (typeof Blob === 'function' && source instanceof Blob);
  check(okSource, op, `source must be a Blob, a File or a URL string, got ${Object.prototype.toString.call(source)}`);
  check(opts.channels === undefined || opts.channels === 1 || opts.channels === 3, op, `channels must be 1 or 3, got ${String(opts.channels)}`);
  const r = opts.resize;
  const okResize = r === undefined || (typeof r === 'number' && Number.isInteger(r) && r > 0) ||
    (Array.isArray(r) && r.length === 2 && r.every((v) => Number.isInteger(v) && v > 0));
  check(okResize, op, `resize must be a positive integer (the shorter side) or [height, width], got ${JSON.stringify(r)}`);
  const q = opts.resizeQuality ?? 'high';
  check(['pixelated', 'low', 'medium', 'high'].includes(q), op, `resizeQuality must be 'pixelated', 'low', 'medium' or 'high', got ${String(q)}`);
  // A relative URL is resolved here, against this page or worker: a decoding worker's own base is a blob: URL.
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const src = typeof source === 'string' && base !== undefined ? new URL(source, base).href : source;
  return { source: src, resize: r === undefined ? null : Array.isArray(r) ? [r[0], r[1]] : r, quality: q };
}

/** `decodeRgba`'s result as a CHW float image in [0, 1], or the one-line error naming the file. */
export function toImage(res: DecodeResult, name: string, channels: 1 | 3): Image {
  if ('error' in res) throw new SimdnnError('readImage', `${name}: ${firstLine(res.error)}`);
  return pixelsToImage(new Uint8Array(res.rgba.buffer, res.rgba.byteOffset, res.rgba.byteLength), 4, res.width, res.height, channels);
}

/**
 * Decodes one image (a File, Blob or URL) on this thread with the browser's
 * decoders: a CHW float image in [0, 1], RGB with alpha dropped, or gray, the
 * layout Node's `decodeImageFile` gives: PIL's pixels for PNG (translucent ones
 * through WebCodecs' ImageDecoder where the browser has it; else a 2D canvas
 * rounds their premultiplied colours) and for JPEG within one level
 * (libjpeg-turbo's IDCT in both).
 */
export async function decodeImageBlob(source: ImageSource, opts: DecodeImageOptions = {}): Promise<Image> {
  const req = decodeRequest(source, opts, 'decodeImageBlob');
  check(canDecodeInBrowser(), 'decodeImageBlob', 'needs createImageBitmap and OffscreenCanvas (a browser or a browser worker); in Node use decodeImageFile or ImageFolderDataset from simdnn/node');
  return toImage(await decodeRgba(req), sourceName(source, opts.name), opts.channels ?? 3);
}
