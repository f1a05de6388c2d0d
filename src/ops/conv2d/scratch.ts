import { backend } from '../../runtime/backend.js';

/**
 * The one way a convolution gets temporary memory: runs `fn` with heap blocks
 * of `floats[i]` floats (64-byte aligned, uninitialised; 0 for an empty one),
 * released when `fn` returns or throws. Scratch never leaves the op, so it
 * needs no Tensor, scope entry or finalizer.
 */
export function withScratch<T>(floats: readonly number[], fn: (...ptrs: number[]) => T): T {
  const heap = backend('conv2d').heap;
  const ptrs: number[] = [];
  try {
    for (const f of floats) ptrs.push(f > 0 ? heap.alloc(f * 4) : 0);
    return fn(...ptrs);
  } finally {
    for (const p of ptrs) if (p !== 0) heap.release(p);
  }
}
