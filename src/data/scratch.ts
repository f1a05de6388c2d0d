/**
 * Pixel memory for the short-lived images a DataLoader makes per sample.
 * Allocating a fresh Float32Array per transform step (an ArrayBuffer each) cost
 * more than the transforms themselves (bench/data.mjs), so while a DataLoader
 * builds a batch, `allocPixels` hands out views of one reusable buffer,
 * recycled after each sample has been copied into the batch. Outside a
 * DataLoader it returns a new zeroed Float32Array.
 */
class Scratch {
  buf = new Float32Array(1 << 16);
  off = 0;
  take(n: number): Float32Array {
    if (this.off + n > this.buf.length) {
      // Views handed out earlier keep the old buffer alive; nothing is overwritten.
      this.buf = new Float32Array(Math.max(2 * this.buf.length, 4 * n));
      this.off = 0;
    }
    const view = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return view;
  }
}

let active: Scratch | null = null;

/** `n` floats for an image the caller fills completely (contents are unspecified). */
export function allocPixels(n: number): Float32Array {
  return active === null ? new Float32Array(n) : active.take(n);
}

/** Runs `fn` with scratch allocation on (nested calls keep the outer arena). */
export function withScratch<T>(arena: Scratch, fn: () => T): T {
  const prev = active;
  active = arena;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

/** A fresh arena (one per DataLoader); `reset` recycles everything handed out. */
export function newScratch(): { arena: Scratch; reset: () => void } {
  const arena = new Scratch();
  return {
    arena,
    reset: () => {
      arena.off = 0;
    },
  };
}
