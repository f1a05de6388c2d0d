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

/**
 * Decodes one image to RGBA bytes. Self-contained (it refers to nothing outside
 * its body but the platform's globals): blob-decoder-pool.ts sends its source
 * text to its workers. Colour management and EXIF rotation are off, as PIL
 * (and the Node decoders) do not apply them either. A JPEG without an end
 * marker after its last scan is refused as truncated (PIL refuses it; a browser
 * would show the part it has, gray below). A PNG with alpha goes through
 * WebCodecs' ImageDecoder where there is one (see below).
 */
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
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    const kind = isPng ? 'PNG' : isJpeg ? 'JPEG' : null;
    if (isJpeg) {
      let lastScan = -1;
      for (let i = bytes.length - 2; i >= 2; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xda) { lastScan = i; break; }
      let end = false;
      for (let i = Math.max(lastScan, 2); i < bytes.length - 1 && !end; i++) end = bytes[i] === 0xff && bytes[i + 1] === 0xd9;
      if (!end) return { error: 'corrupt JPEG (truncated: no end-of-image marker after the last scan)' };
    }
    const base: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'none' as ImageOrientation };
    // What createImageBitmap reads: the file, or (a PNG with alpha) its pixels made opaque.
    let src: Blob | ImageData = blob;
    let bitmap: ImageBitmap;
    try {
      // A PNG with alpha (colour type 4 or 6, or a tRNS chunk before the image data): a 2D canvas
      // would keep translucent colours premultiplied (rounded; lost where alpha is 0). WebCodecs'
      // ImageDecoder gives them unpremultiplied; alpha then becomes 255, as PIL's convert('RGB')
      // drops it before any resize.
      let alpha = isPng && bytes.length > 25 && (bytes[25] === 4 || bytes[25] === 6);
      for (let o = 8; isPng && !alpha && o + 8 <= bytes.length;) {
        const len = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
        const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
        if (type === 'IDAT' || type === 'IEND') break;
        alpha = type === 'tRNS';
        o += 12 + len;
      }
      const Decoder = (globalThis as { ImageDecoder?: new (init: object) => { decode(): Promise<{ image: VideoFrame }>; close(): void } }).ImageDecoder;
      if (alpha && typeof Decoder === 'function') {
        const dec = new Decoder({ data: bytes, type: 'image/png', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
        try {
          const { image } = await dec.decode();
          const f = image.format ?? '';
          if (['RGBA', 'RGBX', 'BGRA', 'BGRX'].includes(f)) {
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
            src = new ImageData(px, w, h);
          }
          image.close();
        } finally {
          dec.close();
        }
      }
      const r = req.resize;
      if (Array.isArray(r)) {
        bitmap = await createImageBitmap(src, { ...base, resizeHeight: r[0], resizeWidth: r[1], resizeQuality: req.quality });
      } else {
        const H = src instanceof ImageData ? src.height : 0, W = src instanceof ImageData ? src.width : 0;
        if (src instanceof ImageData && (r === null || (H <= W ? r === H : r === W))) {
          return { rgba: src.data, width: W, height: H };
        }
        bitmap = await createImageBitmap(src, base);
        const bh = bitmap.height, bw = bitmap.width;
        const [h, w] = r === null ? [bh, bw] : bh <= bw ? [r, Math.floor((r * bw) / bh)] : [Math.floor((r * bh) / bw), r];
        if (h !== bh || w !== bw) {
          const full = bitmap;
          bitmap = await createImageBitmap(full, { ...base, resizeHeight: h, resizeWidth: w, resizeQuality: req.quality });
          full.close();
        }
      }
    } catch (e) {
      const why = String((e as Error)?.message ?? e);
      return { error: kind ? `corrupt ${kind} (${why})` : `not an image this browser decodes (starts with ${hex || 'nothing: empty file'}; ${why})` };
    }
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
