import { check, checkKnownKeys, SimdnnError } from '../errors.js';
import { empty } from '../ops/basic.js';
import { Module } from '../nn/module.js';
import { shapeSize, Tensor } from '../tensor.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an
 * 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {…} }`,
 * then the raw little-endian data, offsets relative to the end of the header.
 * Every value read is checked before it is used: a malformed or hostile file
 * throws a SimdnnError and never makes us read outside the given bytes.
 */
const OP = 'loadSafetensors';

/** Bytes per element of the dtypes we read; all become float32 (integers above 2^24 round, as counters never get there). */
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Buffers saved as 0-d int64, as PyTorch stores them, so `torch` loads our files into its modules unchanged. */
const INT64_BUFFERS = /(^|\.)num_batches_tracked$/;

export type StateDict = Record<string, Tensor>;

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Reads a safetensors file into float32 tensors (F32, F16, BF16, F64 and the
 * integer types, converted). `strict` (default true) also requires what the
 * format requires of writers: the data ranges cover the data section exactly,
 * without holes; with `strict: false` unreferenced bytes are allowed.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer, opts: { strict?: boolean } = {}): StateDict {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  check(bytes instanceof Uint8Array, OP, `bytes must be a Uint8Array or ArrayBuffer, got ${Object.prototype.toString.call(bytes)}`);
  check(opts !== null && typeof opts === 'object', OP, 'options must be an object');
  checkKnownKeys(OP, opts, ['strict']);
  const strict = opts.strict ?? true;
  const entries = parseHeader(bytes);
  const dataStart = 8 + headerLength(bytes);
  const dataLen = bytes.length - dataStart;
  checkRanges(entries, dataLen, strict);
  const out: StateDict = {};
  try {
    for (const e of entries) {
      const t = empty(e.shape, OP);
      decode(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, t.view(OP));
      out[e.name] = t;
    }
  } catch (err) {
    for (const t of Object.values(out)) t.dispose();
    throw err;
  }
  return out;
}

function headerLength(bytes: Uint8Array): number {
  check(bytes.length >= 8, OP, `the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const n = dv.getBigUint64(0, true);
  check(n >= 2n && n <= BigInt(bytes.length - 8), OP, `header length ${n} does not fit a file of ${bytes.length} bytes`);
  return Number(n);
}

function parseHeader(bytes: Uint8Array): Entry[] {
  const n = headerLength(bytes);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SimdnnError(OP, `the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  check(json !== null && typeof json === 'object' && !Array.isArray(json), OP, 'the header must be a JSON object');
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      check(v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string'), OP, '__metadata__ must be an object of strings');
      continue;
    }
    check(v !== null && typeof v === 'object' && !Array.isArray(v), OP, `entry '${name}' must be an object`);
    const { dtype, shape, data_offsets: off } = v as Record<string, unknown>;
    check(typeof dtype === 'string' && dtype in DTYPE_BYTES, OP, `entry '${name}' has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(DTYPE_BYTES).join(', ')}`);
    check(Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0), OP, `entry '${name}' has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
    check(Array.isArray(off) && off.length === 2 && off.every((d) => Number.isSafeInteger(d) && d >= 0) && off[0] <= off[1], OP,
      `entry '${name}' has data_offsets ${JSON.stringify(off)}, not [begin, end] with 0 ≤ begin ≤ end`);
    const count = shapeSize(shape as number[]);
    const want = count * DTYPE_BYTES[dtype];
    check(Number.isSafeInteger(want) && want === off[1] - off[0], OP,
      `entry '${name}' (${dtype} [${(shape as number[]).join(',')}]) needs ${want} bytes but data_offsets ${JSON.stringify(off)} span ${off[1] - off[0]}`);
    entries.push({ name, dtype, shape: shape as number[], begin: off[0], end: off[1] });
  }
  return entries;
}

function checkRanges(entries: Entry[], dataLen: number, strict: boolean): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    check(e.end <= dataLen, OP, `entry '${e.name}' data_offsets [${e.begin},${e.end}] lie outside the ${dataLen}-byte data section`);
    check(e.begin >= pos, OP, `entry '${e.name}' data_offsets [${e.begin},${e.end}] overlap the previous entry's (ending at ${pos})`);
    check(!strict || e.begin === pos, OP, `entry '${e.name}' starts at ${e.begin} but the previous data ends at ${pos}: a hole in the data section (strict)`);
    pos = e.end;
  }
  check(!strict || pos === dataLen, OP, `the data section has ${dataLen} bytes but the entries cover ${pos} (strict)`);
}

const f16Table = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    t[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
})();

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function decode(src: Uint8Array, dtype: string, dst: Float32Array): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const n = dst.length;
  if (dtype === 'F32' && littleEndian) {
    // One copy instead of a DataView read per element (VGG-16's file is 553 MB).
    dst.set(src.byteOffset % 4 === 0 ? new Float32Array(src.buffer, src.byteOffset, n) : new Float32Array(src.slice().buffer, 0, n));
    return;
  }
  switch (dtype) {
    case 'F32': for (let i = 0; i < n; i++) dst[i] = dv.getFloat32(4 * i, true); break;
    case 'F64': for (let i = 0; i < n; i++) dst[i] = dv.getFloat64(8 * i, true); break;
    case 'F16': for (let i = 0; i < n; i++) dst[i] = f16Table[dv.getUint16(2 * i, true)]; break;
    case 'BF16': {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      for (let i = 0; i < n; i++) {
        u[0] = dv.getUint16(2 * i, true) << 16;
        dst[i] = f[0];
      }
      break;
    }
    case 'I64': for (let i = 0; i < n; i++) dst[i] = Number(dv.getBigInt64(8 * i, true)); break;
    case 'I32': for (let i = 0; i < n; i++) dst[i] = dv.getInt32(4 * i, true); break;
    case 'I16': for (let i = 0; i < n; i++) dst[i] = dv.getInt16(2 * i, true); break;
    case 'I8': for (let i = 0; i < n; i++) dst[i] = dv.getInt8(i); break;
    case 'U8': case 'BOOL': for (let i = 0; i < n; i++) dst[i] = src[i]; break;
    default: throw new SimdnnError(OP, `unsupported dtype ${dtype}`);
  }
}

/**
 * Writes a model's `stateDict()` (or a name → tensor record) as safetensors:
 * float32 data, except batch norm's `num_batches_tracked`, written as 0-d I64
 * like PyTorch's, so `safetensors.torch.load_file` + `load_state_dict` takes it.
 */
export function saveSafetensors(source: Module | StateDict, opts: { metadata?: Record<string, string> } = {}): Uint8Array {
  const op = 'saveSafetensors';
  check(source !== null && typeof source === 'object', op, 'expects a Module or a record of name -> Tensor');
  checkKnownKeys(op, opts, ['metadata']);
  const entries: [string, Tensor][] = source instanceof Module ? source.namedStates() : Object.entries(source);
  const header: Record<string, unknown> = {};
  const parts: { t: Tensor; int64: boolean }[] = [];
  let off = 0;
  for (const [name, t] of entries) {
    check(t instanceof Tensor, op, `'${name}' must be a Tensor`);
    t.ptr(op);
    const int64 = INT64_BUFFERS.test(name) && t.size === 1;
    const nbytes = t.size * (int64 ? 8 : 4);
    header[name] = { dtype: int64 ? 'I64' : 'F32', shape: t.shape, data_offsets: [off, off + nbytes] };
    parts.push({ t, int64 });
    off += nbytes;
  }
  if (opts.metadata) {
    check(Object.values(opts.metadata).every((v) => typeof v === 'string'), op, 'metadata values must be strings');
    header.__metadata__ = opts.metadata;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const { t, int64 } of parts) {
    const v = t.view(op);
    if (int64) {
      dv.setBigInt64(p, BigInt(Math.round(v[0])), true);
      p += 8;
    } else if (littleEndian) {
      new Float32Array(out.buffer, p, v.length).set(v); // p stays 4-aligned: the header is padded to 8
      p += 4 * v.length;
    } else {
      for (let i = 0; i < v.length; i++, p += 4) dv.setFloat32(p, v[i], true);
    }
  }
  return out;
}

