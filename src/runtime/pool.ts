import { SimdnnError } from '../errors.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels.js';

export interface PoolOptions {
  threads: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heap: Heap;
  kernels: Kernels;
}

/** Cores the runtime reports (`os.availableParallelism()`, `navigator.hardwareConcurrency`). */
export function defaultThreadCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  return 1;
}

/**
 * Runs kernels split over threads. This version runs on the calling thread
 * only; the worker pool over shared memory replaces it (issue: threads).
 */
export class ThreadPool {
  readonly size: number;
  private readonly kernels: Kernels;

  private constructor(opts: PoolOptions) {
    this.size = opts.threads;
    this.kernels = opts.kernels;
  }

  static async create(opts: PoolOptions): Promise<ThreadPool> {
    if (opts.threads !== 1) throw new SimdnnError('init', `threads=${opts.threads}: only 1 thread is available in this build`);
    return new ThreadPool(opts);
  }

  static hintNoSharedMemory(): void {
    console.warn('simdnn: SharedArrayBuffer is unavailable, running on 1 thread. Serve the page with ' +
      "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' to enable threads.");
  }

  run(name: string, args: number[], _threads?: number): void {
    const fn = this.kernels[name];
    if (typeof fn !== 'function') throw new SimdnnError(name, `no such kernel in the wasm module`);
    fn(...args, 0, 1);
  }

  close(): void {}
}
