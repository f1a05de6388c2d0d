import { SimdnnError } from '../errors.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // wasm32: 4 GiB
const ALIGN = 64; // a cache line; also keeps every v128 access aligned
/** The first bytes are reserved: address 0 stays null, then the thread pool's control block. */
export const RESERVED_BYTES = 64 * 1024;

/**
 * Size class of a request: exact multiples of 64 B up to 4 KiB, then 8 classes
 * per power of two (at most 12.5% slack). Blocks are recycled by class, so a
 * loop that allocates the same shapes every step reuses the same blocks and the
 * memory's high-water mark stops moving after the first step.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 4096) return b;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

/**
 * The allocator over the one wasm memory. TypeScript owns all memory (kernels
 * allocate nothing): tensors, optimizer state and kernel scratch come from here.
 */
export class Heap {
  readonly memory: WebAssembly.Memory;
  private top = RESERVED_BYTES;
  private readonly free = new Map<number, number[]>();
  private readonly live = new Map<number, number>(); // ptr -> class size
  private liveBytes = 0;
  private peakBytes = 0;
  private f32Cache: Float32Array | null = null;
  private u8Cache: Uint8Array | null = null;
  private i32Cache: Int32Array | null = null;

  /** `maxPages` is the wasm32 limit; tests pass a small one to reach it cheaply. */
  constructor(memory: WebAssembly.Memory, private readonly maxPages = MAX_PAGES) {
    this.memory = memory;
  }

  /** Returns a 64-byte aligned address of at least `bytes` bytes. */
  alloc(bytes: number): number {
    let size = sizeClass(bytes);
    const list = this.free.get(size);
    let ptr = list && list.length > 0 ? list.pop()! : 0;
    if (ptr === 0) {
      if (this.reserve(size)) {
        ptr = this.top;
        this.top += size;
      } else {
        // The address space is used up: lend a free block of a larger class (it
        // goes back to its own class on release) rather than fail while freed
        // memory sits idle, e.g. after one huge temporary.
        const spare = this.smallestFreeAtLeast(size);
        if (spare === null) {
          throw new SimdnnError('memory', `out of wasm memory: ${bytes} more bytes needed, ${this.liveBytes} in use and ${this.freeBytes()} held in freed blocks too small for it, of the 4 GiB wasm32 limit`);
        }
        [ptr, size] = spare;
      }
    }
    this.live.set(ptr, size);
    this.liveBytes += size;
    if (this.liveBytes > this.peakBytes) this.peakBytes = this.liveBytes;
    return ptr;
  }

  /** Grows the memory so that `size` more bytes fit above `top`; false where the limit forbids it. */
  private reserve(size: number): boolean {
    const end = this.top + size;
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    const pages = Math.ceil((end - have) / PAGE);
    const current = have / PAGE;
    if (current + pages > this.maxPages) return false;
    // Grow by at least 1/8 so a growing workload does not grow page by page.
    this.memory.grow(Math.min(this.maxPages - current, Math.max(pages, Math.ceil(current / 8))));
    return true;
  }

  /** Takes a free block from the smallest class ≥ size, as [ptr, its class size], or null. */
  private smallestFreeAtLeast(size: number): [number, number] | null {
    let best = 0;
    for (const [cls, list] of this.free) if (cls >= size && list.length > 0 && (best === 0 || cls < best)) best = cls;
    return best === 0 ? null : [this.free.get(best)!.pop()!, best];
  }

  private freeBytes(): number {
    let n = 0;
    for (const [cls, list] of this.free) n += cls * list.length;
    return n;
  }

  /** Returns a block to its size class. Freeing twice or a foreign pointer throws. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new SimdnnError('memory', `release of an address that is not allocated (${ptr})`);
    this.live.delete(ptr);
    this.liveBytes -= size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
  }

  /** Restarts the high-water mark at the bytes live now (to measure one phase, e.g. an inference pass). */
  resetPeak(): void {
    this.peakBytes = this.liveBytes;
  }

  stats(): { liveBytes: number; peakBytes: number; reservedBytes: number; memoryBytes: number } {
    return { liveBytes: this.liveBytes, peakBytes: this.peakBytes, reservedBytes: this.top, memoryBytes: this.memory.buffer.byteLength };
  }

  // Views are rebuilt when the memory grows (its buffer object changes).
  get f32(): Float32Array {
    const buf = this.memory.buffer;
    if (this.f32Cache === null || this.f32Cache.buffer !== buf) this.f32Cache = new Float32Array(buf);
    return this.f32Cache;
  }
  get u8(): Uint8Array {
    const buf = this.memory.buffer;
    if (this.u8Cache === null || this.u8Cache.buffer !== buf) this.u8Cache = new Uint8Array(buf);
    return this.u8Cache;
  }
  get i32(): Int32Array {
    const buf = this.memory.buffer;
    if (this.i32Cache === null || this.i32Cache.buffer !== buf) this.i32Cache = new Int32Array(buf);
    return this.i32Cache;
  }
}
