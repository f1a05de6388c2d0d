import { SimdnnError } from '../errors.js';

/** gzip's magic bytes 1F 8B. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips with the platform's DecompressionStream (browsers, Node ≥ 18), so
 * the browser bundle needs no zlib. Errors name `name` (the file) and `op`.
 */
export async function gunzipAsync(bytes: Uint8Array, name: string, op: string): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') throw new SimdnnError(op, `${name}: is gzip-compressed and this runtime has no DecompressionStream; gunzip it first`);
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new SimdnnError(op, `${name}: corrupt gzip data (${(e as Error).message})`);
  }
}
