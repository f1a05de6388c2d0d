import { check, SimdnnError } from '../errors.js';
import { Rng, nextSeed } from '../random.js';
import { layoutFits, pendingBytes } from './byte-image.js';

/**
 * One image as the data pipeline passes it around: CHW float32, row-major
 * (channel planes one after another), the layout a batch tensor's rows have.
 */
export interface Image {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** A new image over `data` (or zeros), after checking the sizes agree. */
export function image(channels: number, height: number, width: number, data?: Float32Array): Image {
  for (const [name, v] of [['channels', channels], ['height', height], ['width', width]] as const) {
    check(Number.isInteger(v) && v > 0, 'image', `${name} must be a positive integer, got ${String(v)}`);
  }
  const n = channels * height * width;
  if (data !== undefined) check(data instanceof Float32Array && data.length === n, 'image', () => `data must be a Float32Array of ${channels}x${height}x${width} = ${n} values, got ${data instanceof Float32Array ? data.length : String(data)}`);
  return { data: data ?? new Float32Array(n), channels, height, width };
}

/** Throws unless `img` is a well-formed Image. */
export function checkImage(img: unknown, op: string): asserts img is Image {
  const i = img as Image;
  if (i === null || typeof i !== 'object') throw new SimdnnError(op, 'img must be an Image { data: Float32Array, channels, height, width }');
  // An image whose pixels are still bytes (byte-image.ts) is checked without making its floats.
  const pixels = pendingBytes(i);
  if (pixels === undefined && !(i.data instanceof Float32Array)) throw new SimdnnError(op, 'img must be an Image { data: Float32Array, channels, height, width }');
  const ok = [i.channels, i.height, i.width].every((v) => Number.isInteger(v) && v > 0);
  const n = i.channels * i.height * i.width;
  if (pixels !== undefined) check(ok && layoutFits(pixels, i.height, i.width), op, () => `img is ${i.channels}x${i.height}x${i.width} but holds ${pixels.bytes.length} bytes of ${pixels.stride} per pixel`);
  else check(ok && i.data.length === n, op, () => `img is ${i.channels}x${i.height}x${i.width} but holds ${i.data.length} values`);
}

/** `size` as [height, width] from a number or a pair. */
export function pair(size: number | [number, number], op: string, arg = 'size'): [number, number] {
  const p: [number, number] = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 2 ? [size[0], size[1]] : [NaN, NaN];
  check(p.every((v) => Number.isInteger(v) && v > 0), op, () => `${arg} must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  return p;
}

/** Randomness for a transform: the caller's Rng, a fresh one from `seed`, or the next process seed. */
export interface RandomOptions {
  seed?: number;
  rng?: Rng;
}
export function rngOf(opts: RandomOptions, op: string): Rng {
  if (opts.rng !== undefined) {
    check(opts.rng instanceof Rng, op, 'rng must be an Rng');
    return opts.rng;
  }
  const seed = opts.seed ?? nextSeed();
  check(Number.isInteger(seed), op, `seed must be an integer, got ${String(seed)}`);
  return new Rng(seed);
}

/** Rejects option names the op does not know (a typo must not pass silently). */
export function checkKeys(opts: object, allowed: readonly string[], op: string): void {
  check(opts !== null && typeof opts === 'object', op, 'options must be an object');
  for (const k in opts) {
    if (!allowed.includes(k)) throw new SimdnnError(op, `unknown option '${k}' (expected one of ${allowed.join(', ')})`);
  }
}
