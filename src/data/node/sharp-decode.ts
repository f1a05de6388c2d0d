import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { SimdnnError } from '../../errors.js';
import type { Image } from '../image.js';
import { firstLine, pixelsToImage, sniffFormat } from './decode-image.js';

/** The part of sharp's API this file uses (sharp is an optionalDependency: no compile-time import). */
interface SharpPipeline {
  metadata(): Promise<{ width?: number; height?: number }>;
  resize(width: number, height: number, opts: { fit: 'fill'; kernel: string }): SharpPipeline;
  removeAlpha(): SharpPipeline;
  raw(opts?: { depth: string }): SharpPipeline;
  toBuffer(opts: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}
export type SharpModule = ((input: Uint8Array, opts?: { failOn?: string; limitInputPixels?: number | false }) => SharpPipeline) & {
  cache?(on: boolean): unknown;
  concurrency?(threads: number): number;
};

let cached: SharpModule | null | undefined;
/**
 * Set once the notice is shown, per thread (a registered symbol: every bundled copy of this file
 * sees it). WorkerDataLoader sets it in its workers when the process already showed the notice or
 * another worker will, so a run says it once, not once per thread.
 */
export const NOTICE_SHOWN = Symbol.for('simdnn.sharpNoticeShown');

/**
 * sharp if it loads, else null after one notice on stderr. sharp's prebuilt
 * libvips binary is fetched at `npm install` and may be missing (an offline
 * install, an unsupported platform); the pure-JS decoders then do the work.
 * `load` is for tests (a loader that throws is a machine without sharp).
 */
export function getSharp(load: () => unknown = () => createRequire(import.meta.url)('sharp')): SharpModule | null {
  if (cached !== undefined) return cached;
  try {
    cached = load() as SharpModule;
    if (typeof cached !== 'function') throw new Error('the module is not sharp');
    // libvips' operation cache keeps recent results for reuse; a data set decodes each file once
    // per epoch, so it only costs memory and hashing.
    cached.cache?.(false);
    // One libvips thread per decode. Decodes run in parallel already, one per
    // thread of libuv's pool (sharp's work queue); more threads per decode would
    // only crowd the cores the training's compute threads use. sharp picks 1
    // itself on glibc, but its core count where MALLOC_ARENA_MAX is set, on
    // musl or with jemalloc.
    cached.concurrency?.(1);
  } catch (e) {
    cached = null;
    const g = globalThis as { [NOTICE_SHOWN]?: boolean };
    if (g[NOTICE_SHOWN]) return cached;
    g[NOTICE_SHOWN] = true;
    console.warn(`simdnn: sharp cannot load (${firstLine((e as Error).message ?? String(e)).slice(0, 160)}); decoding images with the pure-JS jpeg-js/pngjs instead, about 10-20x slower`);
  }
  return cached;
}

/** Forgets the loaded sharp and the notice (tests of the fallback). */
export function resetSharpForTests(): void {
  cached = undefined;
  delete (globalThis as { [NOTICE_SHOWN]?: boolean })[NOTICE_SHOWN];
}

/** Width and height from a PNG's IHDR or a JPEG's SOF marker, or null (then sharp's metadata() reads them). */
export function headerSize(b: Uint8Array, format: 'png' | 'jpeg'): { width: number; height: number } | null {
  const u16 = (o: number) => (b[o] << 8) | b[o + 1];
  if (format === 'png') return b.length >= 24 ? { width: ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19]) >>> 0, height: ((b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]) >>> 0 } : null;
  for (let o = 2; o + 9 < b.length;) {
    if (b[o] !== 0xff) return null;
    const m = b[o + 1];
    if (m === 0xff) { o++; continue; } // fill byte
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { height: u16(o + 5), width: u16(o + 7) };
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) { o += 2; continue; }
    o += 2 + u16(o + 2);
  }
  return null;
}

/** torchvision's Resize(int) output size: the shorter side becomes `size`, the longer floor(size·long/short). */
export function shorterSideSize(height: number, width: number, size: number): [number, number] {
  return height <= width ? [size, Math.floor((size * width) / height)] : [Math.floor((size * height) / width), size];
}

/**
 * Decodes a PNG or JPEG with sharp (libvips, libjpeg-turbo): RGB (alpha dropped,
 * gray and palette images expanded) as `pixelsToImage`, like PIL's
 * convert('RGB'). With `resize`, the shorter side becomes `resize` inside
 * libvips: a JPEG is shrunk while it is decoded (DCT scaling) and then
 * resized with an antialiased linear filter, as PIL's bilinear resize (which
 * torchvision's Resize uses for PIL images); EXIF orientation is ignored, as PIL does.
 * A truncated or corrupt file is an error naming the file.
 */
export async function decodeImageFileSharp(sharp: SharpModule, path: string, channels: 1 | 3 = 3, resize?: number): Promise<Image> {
  const op = 'readImage';
  let bytes: Buffer;
  try {
    // In a worker thread (WorkerDataLoader's), a blocking read costs the thread
    // nothing it would do meanwhile, and an asynchronous one is four round trips
    // (open, stat, read, close) through libuv's thread pool, queued behind the
    // decodes running there. The main thread reads asynchronously: it trains.
    bytes = isMainThread ? await readFile(path) : readFileSync(path);
  } catch (e) {
    throw new SimdnnError(op, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const format = sniffFormat(bytes, path, op);
  try {
    // failOn 'truncated': libvips would otherwise fill a cut-off JPEG with gray and carry on (PIL raises).
    let pipe = sharp(bytes, { failOn: 'truncated', limitInputPixels: false });
    if (resize !== undefined) {
      // The size from the file's header here costs microseconds; sharp's metadata() re-opens the file (~1 ms).
      const { width = 0, height = 0 } = headerSize(bytes, format) ?? (await pipe.metadata());
      if (!(width > 0 && height > 0)) throw new Error(`no size in the header (${width}x${height})`);
      const [h, w] = shorterSideSize(height, width, resize);
      if (h !== height || w !== width) pipe = pipe.resize(w, h, { fit: 'fill', kernel: 'linear' });
    }
    // sharp writes sRGB (CMYK and palette images converted); gray stays one band, expanded by pixelsToImage.
    const { data, info } = await pipe.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels === 2 || info.channels > 4 || data.length < info.width * info.height * info.channels) throw new Error(`decoded to ${info.channels} channels, ${data.length} bytes`);
    return pixelsToImage(data, info.channels, info.width, info.height, channels, info.channels === 1);
  } catch (e) {
    // libvips keeps one error buffer per process: with several decodes failing at once, one may get 'Unknown error'.
    const why = firstLine((e as Error).message ?? String(e));
    throw new SimdnnError(op, `${path}: corrupt ${format === 'png' ? 'PNG' : 'JPEG'} (${why === 'Unknown error' || why === '' ? 'libvips cannot decode it' : why})`);
  }
}
