import { SimdnnError } from '../errors.js';
import { CONTROL_BYTE_OFFSET, LAYOUT, controlViews, type ControlViews } from './control-block.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels.js';
import { canBlock, nodePlatform, reportedCores } from './platform.js';
import { browserWorkerSource, nodeWorkerSource, type WorkerStart } from './worker-main.js';

export interface PoolOptions {
  threads: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heap: Heap;
  kernels: Kernels;
}

/** Cores the runtime reports (`os.availableParallelism()`, `navigator.hardwareConcurrency`). */
export function defaultThreadCount(): number {
  return reportedCores();
}

/**
 * How long an idle worker spins on the generation counter before it sleeps in
 * Atomics.wait, and how long the caller spins for the last shares before it
 * sleeps. Back-to-back calls (a training step) then dispatch in well under a
 * microsecond instead of a futex wake-up (~40 µs). Bounded by time so that a
 * thread whose core is wanted elsewhere stops burning it (WASM-NOTES,
 * Threads); nearly no spin when the pool has more threads than cores, where
 * a spinning thread would take the core from the one it waits for.
 */
function spinMillis(threads: number): { worker: number; caller: number } {
  return threads <= reportedCores() ? { worker: 0.5, caller: 0.5 } : { worker: 0.02, caller: 0.02 };
}
/** How long `close()` waits for workers to acknowledge the stop. */
const CLOSE_WAIT_MS = 2000;

/** A started worker, Node or browser, as far as the pool needs it. */
interface PoolWorker {
  post(m: WorkerStart): void;
  terminate(): void;
  /** Node: let the process exit while the worker idles. */
  unref(): void;
}

let warnedHint = false;

/**
 * bench/train-amdahl.mjs's probe: when set, `run` hands every call to it
 * instead of dispatching, with `runShare(tid, n)` running one share on the
 * calling thread and `threads` as the caller asked (undefined: the whole pool,
 * 1: the caller only) and the kernel's arguments, so the probe can time each share of a 2-thread split
 * one after another on one core. Kernels run on a pool of the size the probe
 * asks for (per-thread scratch exists for every share); nothing else changes.
 */
export type ShareProbe = (name: string, runShare: (tid: number, n: number) => void, threads: number | undefined, args: readonly number[]) => void;
let shareProbe: ShareProbe | null = null;
/** @internal Sets (or clears, with null) the share probe; not API. */
export function setShareProbe(probe: ShareProbe | null): void {
  shareProbe = probe;
}

/**
 * A fixed pool of workers over the one shared memory. Each worker instantiates
 * the same compiled module; a call is dispatched through the control block
 * (control-block.ts): the caller writes the kernel id and arguments, opens
 * shares 1..n-1 for claiming and bumps the generation counter, runs share 0,
 * then runs any share no worker has claimed yet, and waits for the claimed
 * ones. `run` is synchronous everywhere: where `Atomics.wait` is forbidden (a
 * page's main thread) the caller polls.
 */
export class ThreadPool {
  readonly size: number;
  private readonly fns: ((...a: number[]) => unknown)[];
  private readonly ids = new Map<string, number>();
  private readonly ctl: ControlViews | null;
  private readonly workers: PoolWorker[];
  private readonly callerMayBlock: boolean;
  private readonly callerSpinMs: number;
  private closed = false;

  private constructor(opts: PoolOptions, names: string[], workers: PoolWorker[], ctl: ControlViews | null) {
    this.size = opts.threads;
    names.forEach((n, i) => this.ids.set(n, i));
    this.fns = names.map((n) => opts.kernels[n]);
    this.workers = workers;
    this.ctl = ctl;
    this.callerMayBlock = ctl !== null && canBlock(ctl.ints);
    this.callerSpinMs = spinMillis(this.size).caller;
  }

  static async create(opts: PoolOptions): Promise<ThreadPool> {
    const names = Object.keys(opts.kernels).filter((k) => typeof opts.kernels[k] === 'function').sort();
    if (opts.threads <= 1) return new ThreadPool(opts, names, [], null);
    if (!(opts.memory.buffer instanceof SharedArrayBuffer)) {
      throw new SimdnnError('init', `threads=${opts.threads} needs a shared memory`);
    }
    if (opts.threads > reportedCores()) {
      console.warn(`simdnn: threads=${opts.threads} is more than the ${reportedCores()} cores this runtime reports; ` +
        'the extra threads share cores and usually make calls slower');
    }
    const ctl = controlViews(opts.memory.buffer);
    ctl.ints.fill(0);
    const workers: PoolWorker[] = [];
    const ready: Promise<void>[] = [];
    try {
      for (let tid = 1; tid < opts.threads; tid++) {
        const { worker, started } = spawn(tid);
        workers.push(worker);
        ready.push(started);
        worker.post({
          module: opts.module, memory: opts.memory, tid, size: opts.threads, names,
          controlByteOffset: CONTROL_BYTE_OFFSET, layout: LAYOUT, spinMs: spinMillis(opts.threads).worker,
        });
      }
      await Promise.all(ready);
    } catch (e) {
      workers.forEach((w) => w.terminate());
      throw e instanceof SimdnnError ? e : new SimdnnError('init', `a worker failed to start: ${String(e)}`);
    }
    workers.forEach((w) => w.unref());
    return new ThreadPool(opts, names, workers, ctl);
  }

  /** Once per process: threads were asked for but the page is not cross-origin isolated. */
  static hintNoSharedMemory(): void {
    if (warnedHint) return;
    warnedHint = true;
    console.warn('simdnn: SharedArrayBuffer is unavailable, running on 1 thread. Serve the page with ' +
      "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' to enable threads.");
  }

  /**
   * Runs kernel `name(...args, tid, n)` for tid = 0..n-1 and returns when all
   * are done; n = `threads` (capped at the pool size) or the whole pool. A
   * kernel that throws on any thread throws here as a SimdnnError, after every
   * thread has finished, and the pool stays usable.
   */
  run(name: string, args: number[], threads?: number): void {
    const id = this.ids.get(name);
    if (id === undefined) throw new SimdnnError(name, 'no such kernel in the wasm module');
    if (this.closed) throw new SimdnnError(name, 'the thread pool was shut down');
    const n = Math.max(1, Math.min(threads ?? this.size, this.size));
    const fn = this.fns[id];
    if (shareProbe !== null) {
      shareProbe(name, (tid, nn) => fn(...args, tid, nn), threads, args);
      return;
    }
    if (n === 1 || this.ctl === null) {
      try {
        fn(...args, 0, 1);
      } catch (e) {
        throw asKernelError(name, 0, 1, 'on the calling thread', e);
      }
      return;
    }
    if (args.length > LAYOUT.MAX_ARGS) throw new SimdnnError(name, `${args.length} arguments, the pool carries at most ${LAYOUT.MAX_ARGS}`);
    const { ints, args: a } = this.ctl;
    for (let i = 0; i < args.length; i++) a[i] = args[i];
    ints[LAYOUT.KERNEL] = id;
    ints[LAYOUT.NARGS] = args.length;
    ints[LAYOUT.ERROR_TID] = 0;
    Atomics.store(ints, LAYOUT.DONE, 0);
    Atomics.store(ints, LAYOUT.CLAIM, (n << 16) | 1); // publishes the call: shares 1..n-1 open
    Atomics.add(ints, LAYOUT.GEN, 1); // wakes workers that watch for a new call
    if (Atomics.load(ints, LAYOUT.WAITERS) > 0) Atomics.notify(ints, LAYOUT.GEN);
    let failed: { share: number; error: unknown } | null = null;
    try {
      fn(...args, 0, n);
    } catch (e) {
      failed = { share: 0, error: e };
    }
    // Shares no worker has claimed yet run here: a late worker delays nothing.
    for (;;) {
      const c = Atomics.load(ints, LAYOUT.CLAIM);
      const share = c & 0xffff;
      if (share >= n) break;
      if (Atomics.compareExchange(ints, LAYOUT.CLAIM, c, c + 1) !== c) continue;
      try {
        fn(...args, share, n);
      } catch (e) {
        failed ??= { share, error: e };
      }
      Atomics.add(ints, LAYOUT.DONE, 1);
    }
    this.waitForWorkers(n - 1);
    if (failed !== null) throw asKernelError(name, failed.share, n, 'on the calling thread', failed.error);
    const workerShare = Atomics.load(ints, LAYOUT.ERROR_TID);
    if (workerShare !== 0) {
      const len = Atomics.load(ints, LAYOUT.ERROR_LEN);
      const text = String.fromCharCode(...this.ctl.msg.subarray(0, len));
      throw asKernelError(name, workerShare - 1, n, 'on a worker', text);
    }
  }

  /** Until `shares` shares are done: spin briefly, then sleep (or poll where sleeping is forbidden). */
  private waitForWorkers(shares: number): void {
    const ints = this.ctl!.ints;
    if (Atomics.load(ints, LAYOUT.DONE) === shares) return;
    const t0 = performance.now();
    let spins = 0;
    while (Atomics.load(ints, LAYOUT.DONE) !== shares) {
      if (this.callerMayBlock && (++spins & 255) === 0 && performance.now() - t0 > this.callerSpinMs) {
        Atomics.store(ints, LAYOUT.CALLER_WAITING, 1);
        let done;
        while ((done = Atomics.load(ints, LAYOUT.DONE)) !== shares) Atomics.wait(ints, LAYOUT.DONE, done);
        Atomics.store(ints, LAYOUT.CALLER_WAITING, 0);
        return;
      }
    }
  }

  /** Stops the workers and waits for each to acknowledge, then terminates them. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ctl === null) return;
    const ints = this.ctl.ints;
    const others = this.size - 1;
    Atomics.store(ints, LAYOUT.STOP, 1);
    Atomics.add(ints, LAYOUT.GEN, 1);
    Atomics.notify(ints, LAYOUT.GEN);
    const t0 = performance.now();
    let exited;
    while ((exited = Atomics.load(ints, LAYOUT.EXITED)) < others && performance.now() - t0 < CLOSE_WAIT_MS) {
      if (this.callerMayBlock) Atomics.wait(ints, LAYOUT.EXITED, exited, 10);
    }
    this.workers.forEach((w) => w.terminate());
  }
}

function asKernelError(name: string, share: number, n: number, where: string, e: unknown): Error {
  if (e instanceof SimdnnError) return e;
  const text = e instanceof Error ? e.message || e.name : String(e);
  return new SimdnnError(name, `kernel failed in share ${share} of ${n} (${where}): ${text}`);
}
/** Starts one worker (Node worker_threads or browser Worker); `started` resolves on its 'ready'. */
function spawn(tid: number): { worker: PoolWorker; started: Promise<void> } {
  const node = nodePlatform();
  if (node !== null) {
    const w = new node.Worker(nodeWorkerSource(), { eval: true, name: `simdnn-${tid}` });
    const started = new Promise<void>((resolve, reject) => {
      w.on('message', (m) => settle(m, resolve, reject, tid));
      w.on('error', (e) => reject(new SimdnnError('init', `worker ${tid} failed to start: ${String(e)}`)));
      w.on('exit', (code) => reject(new SimdnnError('init', `worker ${tid} exited (code ${String(code)}) before it was ready`)));
    });
    return {
      worker: { post: (m) => w.postMessage(m), terminate: () => void w.terminate().catch(() => {}), unref: () => w.unref() },
      started,
    };
  }
  const WorkerCtor = (globalThis as { Worker?: typeof Worker }).Worker;
  if (typeof WorkerCtor !== 'function') throw new SimdnnError('init', 'this runtime has no Worker: use threads: 1');
  const url = URL.createObjectURL(new Blob([browserWorkerSource()], { type: 'text/javascript' }));
  const w = new WorkerCtor(url, { name: `simdnn-${tid}` });
  const started = new Promise<void>((resolve, reject) => {
    w.onmessage = (e) => settle(e.data, resolve, reject, tid);
    w.onerror = (e) => reject(new SimdnnError('init', `worker ${tid} failed to start: ${e.message ?? 'error'}`));
  }).finally(() => URL.revokeObjectURL(url));
  return { worker: { post: (m) => w.postMessage(m), terminate: () => w.terminate(), unref: () => {} }, started };
}

function settle(m: unknown, resolve: () => void, reject: (e: Error) => void, tid: number): void {
  const msg = m as { type?: string; message?: string };
  if (msg?.type === 'ready') resolve();
  else reject(new SimdnnError('init', `worker ${tid} failed to start: ${msg?.message ?? String(m)}`));
}
