import { RESERVED_BYTES } from './heap.js';

/**
 * Where the thread pool's control block lives: a fixed region inside the
 * first 64 KiB of wasm memory that the heap never hands out. Every call is
 * dispatched through it (no postMessage per call).
 *
 * Int32 slots; the words that different threads write in a hot loop sit on
 * their own 64-byte cache lines so that spinning readers do not slow writers.
 */
export const CONTROL_BYTE_OFFSET = 4096;

export interface ControlLayout {
  /** Generation counter: bumped once per call (and once to stop). */
  GEN: number;
  /**
   * (nthreads << 16) | the next share to hand out. Share 0 is the caller's; shares 1..n-1 go to
   * whichever thread claims them first (a worker, or the caller once its own
   * share is done), so a descheduled worker delays nothing. Which thread runs
   * a share never changes its result: kernels split by share index.
   */
  CLAIM: number;
  /** Shares 1..n-1 finished in the current generation. */
  DONE: number;
  /** Workers asleep in Atomics.wait on GEN (the caller notifies only if > 0). */
  WAITERS: number;
  /** 1 while the caller sleeps in Atomics.wait on DONE. */
  CALLER_WAITING: number;
  /** Workers that saw STOP and left their loop. */
  EXITED: number;
  KERNEL: number;
  NARGS: number;
  STOP: number;
  /** 0, or 1 + the first share whose kernel threw on a worker. */
  ERROR_TID: number;
  ERROR_LEN: number;
  /** Int32 slots in the block before the argument area. */
  INTS: number;
  /** Byte offset (from the block's start) of the f64 arguments. */
  ARGS_BYTE: number;
  MAX_ARGS: number;
  /** Byte offset of the error message (UTF-16 code units). */
  MSG_BYTE: number;
  MSG_CHARS: number;
}

export const LAYOUT: ControlLayout = {
  GEN: 0,
  CLAIM: 16,
  DONE: 32,
  WAITERS: 48,
  CALLER_WAITING: 64,
  EXITED: 80,
  KERNEL: 96,
  NARGS: 97,
  STOP: 98,
  ERROR_TID: 99,
  ERROR_LEN: 100,
  INTS: 128,
  ARGS_BYTE: 512,
  MAX_ARGS: 64,
  MSG_BYTE: 1024,
  MSG_CHARS: 1024,
};

/** Byte address of the claim counter (the debugTrapOnThread test kernel watches it). */
export const CLAIM_ADDRESS = CONTROL_BYTE_OFFSET + LAYOUT.CLAIM * 4;

const CONTROL_BYTES = LAYOUT.MSG_BYTE + LAYOUT.MSG_CHARS * 2;
if (CONTROL_BYTE_OFFSET + CONTROL_BYTES > RESERVED_BYTES) throw new Error('control block outside the reserved bytes');

/** Typed views of the control block over a memory's buffer. */
export interface ControlViews {
  ints: Int32Array;
  args: Float64Array;
  msg: Uint16Array;
}

export function controlViews(buffer: ArrayBufferLike): ControlViews {
  return {
    ints: new Int32Array(buffer, CONTROL_BYTE_OFFSET, LAYOUT.INTS),
    args: new Float64Array(buffer, CONTROL_BYTE_OFFSET + LAYOUT.ARGS_BYTE, LAYOUT.MAX_ARGS),
    msg: new Uint16Array(buffer, CONTROL_BYTE_OFFSET + LAYOUT.MSG_BYTE, LAYOUT.MSG_CHARS),
  };
}
