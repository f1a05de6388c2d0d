import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SimdnnError } from '../../errors.js';
import { isGzip } from '../gunzip.js';

/** A file's bytes, gunzipped when it is gzip; errors name the path and `op`. */
export function readMaybeGzip(path: string, op: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SimdnnError(op, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new SimdnnError(op, `${path}: corrupt gzip data (${(e as Error).message})`);
  }
}
