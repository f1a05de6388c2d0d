import type { ControlLayout } from './control-block.js';

/** The one message a worker receives: everything it needs to join the pool. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  size: number;
  /** Kernel names in id order: the control block carries the index. */
  names: string[];
  controlByteOffset: number;
  layout: ControlLayout;
  /** How long a worker spins on the generation counter before it sleeps. */
  spinMs: number;
}

/** How the worker talks to its parent: Node's parentPort or a browser's `self`. */
export interface WorkerEndpoint {
  onStart(handler: (start: WorkerStart) => void): void;
  post(message: { type: 'ready' } | { type: 'error'; message: string }): void;
}

/**
 * The body of every pool worker. Its source text (`workerMain.toString()`) IS
 * the worker script, so it must stay self-contained: no imports, no outer
 * names, only globals that Node's worker_threads and browser workers share.
 * That keeps the package one file (no second script to fetch or resolve).
 *
 * Loop: wait for the generation counter to move (spin bounded by time, then
 * Atomics.wait), then claim shares of the call until none is left: run kernel
 * `names[id](...args, share, nthreads)`, record the first exception in the
 * control block, count the share done, and wake the caller if it sleeps.
 */
export function workerMain(endpoint: WorkerEndpoint): void {
  endpoint.onStart((start) => {
    let exports: Record<string, unknown>;
    try {
      exports = new WebAssembly.Instance(start.module, { env: { memory: start.memory } }).exports;
    } catch (e) {
      endpoint.post({ type: 'error', message: String(e) });
      return;
    }
    const L = start.layout;
    const buffer = start.memory.buffer;
    const ctl = new Int32Array(buffer, start.controlByteOffset, L.INTS);
    const args = new Float64Array(buffer, start.controlByteOffset + L.ARGS_BYTE, L.MAX_ARGS);
    const msg = new Uint16Array(buffer, start.controlByteOffset + L.MSG_BYTE, L.MSG_CHARS);
    const fns = start.names.map((n) => exports[n] as (...a: number[]) => unknown);
    const spinMs = start.spinMs;
    // Sample the generation BEFORE reporting ready: a call dispatched right
    // after `ready` must look new to this worker, or it is lost.
    let seen = Atomics.load(ctl, L.GEN);
    endpoint.post({ type: 'ready' });

    for (;;) {
      let gen = Atomics.load(ctl, L.GEN);
      if (gen === seen) {
        const t0 = performance.now();
        let spins = 0;
        while ((gen = Atomics.load(ctl, L.GEN)) === seen) {
          // Reading the clock costs ~25 ns: look at it every 256 turns.
          if ((++spins & 255) === 0 && performance.now() - t0 > spinMs) {
            Atomics.add(ctl, L.WAITERS, 1);
            Atomics.wait(ctl, L.GEN, seen);
            Atomics.sub(ctl, L.WAITERS, 1);
          }
        }
      }
      seen = gen;
      if (Atomics.load(ctl, L.STOP) !== 0) {
        Atomics.add(ctl, L.EXITED, 1);
        Atomics.notify(ctl, L.EXITED);
        return;
      }
      // CLAIM packs (nthreads << 16) | next share. A successful compare-and-
      // swap is a claim in the call now running (whatever generation this
      // worker woke for), and that call cannot finish before this share is
      // done, so its kernel and arguments read below stay valid.
      for (;;) {
        const c = Atomics.load(ctl, L.CLAIM);
        const nthreads = c >>> 16;
        const share = c & 0xffff;
        if (share >= nthreads) break;
        if (Atomics.compareExchange(ctl, L.CLAIM, c, c + 1) !== c) continue;
        const nargs = Atomics.load(ctl, L.NARGS);
        const call: number[] = new Array(nargs + 2);
        for (let i = 0; i < nargs; i++) call[i] = args[i];
        call[nargs] = share;
        call[nargs + 1] = nthreads;
        try {
          fns[Atomics.load(ctl, L.KERNEL)](...call);
        } catch (e) {
          if (Atomics.compareExchange(ctl, L.ERROR_TID, 0, share + 1) === 0) {
            const text = String(e instanceof Error ? e.message || e.name : e).slice(0, L.MSG_CHARS);
            for (let i = 0; i < text.length; i++) msg[i] = text.charCodeAt(i);
            Atomics.store(ctl, L.ERROR_LEN, text.length);
          }
        }
        if (Atomics.add(ctl, L.DONE, 1) + 1 === nthreads - 1 && Atomics.load(ctl, L.CALLER_WAITING) !== 0) {
          Atomics.notify(ctl, L.DONE);
        }
      }
    }
  });
}

/**
 * The worker script for Node's worker_threads (`new Worker(src, { eval: true })`).
 * A dynamic import, because the eval script is CommonJS or an ES module
 * depending on the parent's flags (`--input-type=module` is inherited);
 * messages wait on the port until the listener is attached.
 */
export function nodeWorkerSource(): string {
  return `import('node:worker_threads').then(({ parentPort }) => (${workerMain.toString()})({
  onStart: (f) => parentPort.once('message', f),
  post: (m) => parentPort.postMessage(m),
}));`;
}

/** The worker script for a browser Worker (loaded from a Blob URL). */
export function browserWorkerSource(): string {
  return `(${workerMain.toString()})({
  onStart: (f) => { self.onmessage = (e) => { self.onmessage = null; f(e.data); }; },
  post: (m) => self.postMessage(m),
});`;
}
