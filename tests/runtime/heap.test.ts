// The allocator at the wasm32 limit (scaled down: a heap capped at 40 pages).
import { describe, expect, it } from 'vitest';
import { Heap, RESERVED_BYTES, sizeClass } from '../../src/runtime/heap.js';
import { SimdnnError } from '../../src/errors.js';

const PAGE = 65536;
const small = () => new Heap(new WebAssembly.Memory({ initial: 2, maximum: 40 }), 40);

describe('Heap at its limit', () => {
  it('lends a freed block of a larger class instead of failing, and takes it back to its class', () => {
    const heap = small();
    const big = heap.alloc(2_000_000); // most of the 2.6 MB
    heap.release(big);
    // A different size class than the freed block: no room above it, so before
    // the fallback this failed with 2 MB free.
    const mid = heap.alloc(1_000_000);
    expect(mid).toBe(big);
    expect(heap.stats().liveBytes).toBe(sizeClass(2_000_000));
    heap.release(mid);
    expect(heap.alloc(2_000_000)).toBe(big); // back in its own class
  });

  it('reports live and idle bytes when nothing fits', () => {
    const heap = small();
    const a = heap.alloc(1_000_000);
    heap.alloc(1_000_000);
    heap.release(a);
    expect(() => heap.alloc(2_000_000)).toThrow(SimdnnError);
    expect(() => heap.alloc(2_000_000)).toThrow(/^memory: out of wasm memory: 2000000 more bytes needed, \d+ in use and \d+ held in freed blocks too small for it/);
    expect(heap.stats().memoryBytes).toBeLessThanOrEqual(40 * PAGE);
    expect(heap.alloc(1_000_000)).toBe(a); // the same class still recycles
  });

  it('grows the memory as before while under the limit', () => {
    const heap = small();
    const p = heap.alloc(PAGE * 3);
    expect(p).toBe(RESERVED_BYTES);
    expect(heap.stats().memoryBytes).toBeGreaterThanOrEqual(RESERVED_BYTES + PAGE * 3);
  });
});
