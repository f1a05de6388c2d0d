import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { check, SimdnnError } from '../../errors.js';
import type { DataLoader } from '../dataloader.js';
import { checkKeys } from '../image.js';
import { Batch, stepBoundary } from './core.js';
import { NOTICE_SHOWN } from './sharp-decode.js';

export interface WorkerDataLoaderOptions {
  /** Passed to the module's factory in each worker (structured-cloneable). */
  args?: unknown;
  /** The factory's export name (default 'makeLoader', then 'default'). */
  exportName?: string;
  /** Worker threads preparing batches (default 1). */
  workers?: number;
  /** Batches requested ahead of the one being consumed (default 2·workers). */
  prefetch?: number;
  /** As DataLoader's: batches stay whole after the loop moves on (no array reuse, no dispose). */
  keepTensors?: boolean;
  /**
   * 'normal' (default): the workers' threads compete for the cores as any
   * thread. 'low': on Linux, the workers' threads and libvips' decoding
   * threads (process-wide) run at niceness 19, so they take a core mostly when
   * the training's compute threads leave it: a data thread that wakes up
   * otherwise preempts a compute thread, and the other one waits for it at
   * the kernel's end. If the compute threads leave too little, the training
   * waits for its batches instead (`waitedMs`). No effect elsewhere.
   */
  priority?: 'low' | 'normal';
}

// The worker: imports the module, builds the same DataLoader, and answers
// { gen, epoch, batch } requests with the batch's buffers (transferred).
// { recycle } messages bring back the input arrays of released batches; the
// next batch is written into one (a fresh 19 MB array per batch of 32 at 224²
// costs more in page faults than writing the floats).
// After each message it bumps a shared counter so the main thread can block
// on it with Atomics.wait and read the message with receiveMessageOnPort: the
// consumer's for..of stays synchronous (the training step is).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, flag, moduleUrl, exportName, args, quietSharp, lowPriority } = workerData;
if (quietSharp) globalThis[Symbol.for('simdnn.sharpNoticeShown')] = true; // see sharp-decode.ts: one notice per run
// priority 'low' (Linux: niceness is per thread): this thread, and libvips' threads as they appear (after each batch).
const lowered = new Set();
const lowerPriority = () => {
  if (!lowPriority || process.platform !== 'linux') return;
  const fs = require('node:fs'), os = require('node:os');
  try {
    const self = fs.readlinkSync('/proc/thread-self').split('/').pop();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      if (lowered.has(tid)) continue;
      let name = '';
      try { name = fs.readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim(); } catch { continue; }
      if (tid === self || name === 'libvips worker') { os.setPriority(Number(tid), 19); lowered.add(tid); }
    }
  } catch {} // no /proc, or not allowed: the threads keep their priority
};
lowerPriority();
const post = (msg, transfer) => { port.postMessage(msg, transfer); Atomics.add(flag, 0, 1); Atomics.notify(flag, 0); };
const fail = (e, gen) => post({ gen, error: { op: e && e.op, message: String(e && e.message || e), simdnn: !!(e && e.name === 'SimdnnError') } });
process.on('exit', () => { Atomics.store(flag, 1, 1); Atomics.add(flag, 0, 1); Atomics.notify(flag, 0); });
(async () => {
  let loader;
  try {
    const mod = await import(moduleUrl);
    const make = exportName ? mod[exportName] : (mod.makeLoader || mod.default);
    if (typeof make !== 'function') throw new Error('module ' + moduleUrl + ' exports no function ' + (exportName || 'makeLoader or default'));
    loader = await make(args);
    if (!loader || typeof loader.batch !== 'function') throw new Error('the factory must return a DataLoader');
    post({ ready: true, length: loader.length, batchSize: loader.batchSize });
  } catch (e) { fail(e, -1); return; }
  // One request at a time, in order (the main thread reads a lane's answers in order);
  // batchAsync lets the dataset decode asynchronously first (sharp: libvips' threads).
  let queue = Promise.resolve();
  const spare = [];
  port.on('message', ({ gen, epoch, batch, recycle }) => {
    if (recycle) { if (spare.length < 8) spare.push(recycle); return; }
    // Start decoding this batch now (sharp's threads), while earlier ones are still being built.
    if (typeof loader.prefetch === 'function') { try { loader.prefetch(epoch, batch).catch(() => {}); } catch {} }
    queue = queue.then(async () => {
      try {
        const reuse = spare.pop(), into = reuse && new Float32Array(reuse);
        const b = typeof loader.batchAsync === 'function' ? await loader.batchAsync(epoch, batch, into) : loader.batch(epoch, batch, into);
        lowerPriority();
        const data = b.data, fresh = data.buffer !== reuse;
        if (fresh && reuse) spare.push(reuse); // too small for this batch: maybe for another
        post({ gen, batch, data, fresh, shape: b.shape, y: b.y, indices: b.indices }, [data.buffer, b.y.buffer, b.indices.buffer]);
      } catch (e) { fail(e, gen); }
    });
  });
})();
`;

interface Lane {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

/**
 * A DataLoader whose batches are prepared in worker threads while the caller
 * computes, for pipelines where decoding dominates (JPEG folders). A transform
 * function cannot cross threads, so each worker imports `module` and calls its
 * factory (`export function makeLoader(args) { return new DataLoader(…) }`); batch
 * b comes from worker b mod workers. Seeds make every replica's order and
 * augmentation identical, so the batches equal the plain DataLoader's bit for
 * bit for any number of workers. Iteration is synchronous, as for DataLoader.
 * Call `close()` when done (the workers keep the process alive).
 *
 * Each worker builds its batches with `batchAsync`, so a dataset with an
 * asynchronous `prepare` (ImageFolderDataset: sharp) decodes there, in the
 * worker, while the main thread trains; the main thread's iteration stays synchronous.
 *
 * Batches are released as DataLoader's are (see Batch): a released batch whose
 * `x` was used and whose `data` was not read sends its input array back to its
 * worker, which writes a later batch into it.
 */
export class WorkerDataLoader implements Iterable<Batch> {
  readonly length: number;
  readonly batchSize: number;
  readonly prefetch: number;
  epoch = 0;
  /** Milliseconds the consumer has spent blocked waiting for batches (≈ 0 when the workers keep up). */
  waitedMs = 0;
  /** Input arrays the workers have allocated (a diagnostic: flat once the loop is warm, as released batches' arrays are reused). */
  batchBuffers = 0;
  readonly keepTensors: boolean;
  private readonly lanes: Lane[];
  private gen = 0;
  private closed = false;

  constructor(module: string | URL, opts: WorkerDataLoaderOptions = {}) {
    const op = 'WorkerDataLoader';
    checkKeys(opts, ['args', 'exportName', 'workers', 'prefetch', 'keepTensors', 'priority'], op);
    check(opts.priority === undefined || opts.priority === 'low' || opts.priority === 'normal', op, `priority must be 'low' or 'normal', got ${String(opts.priority)}`);
    this.keepTensors = !!opts.keepTensors;
    const workers = opts.workers ?? 1;
    check(Number.isInteger(workers) && workers > 0, op, `workers must be a positive integer, got ${String(workers)}`);
    this.prefetch = opts.prefetch ?? 2 * workers;
    check(Number.isInteger(this.prefetch) && this.prefetch >= 1, op, `prefetch must be a positive integer, got ${String(this.prefetch)}`);
    const moduleUrl = module instanceof URL ? module.href : /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
    // Only the first worker may say that sharp cannot load, and only if this thread has not said it.
    const shown = (globalThis as { [NOTICE_SHOWN]?: boolean })[NOTICE_SHOWN] === true;
    this.lanes = Array.from({ length: workers }, (_, k) => {
      const { port1, port2 } = new MessageChannel();
      const flag = new Int32Array(new SharedArrayBuffer(8));
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { port: port2, flag, moduleUrl, exportName: opts.exportName, args: opts.args, quietSharp: shown || k > 0, lowPriority: opts.priority === 'low' },
        transferList: [port2],
      });
      return { worker, port: port1, flag };
    });
    let info: { length: number; batchSize: number } | null = null;
    try {
      for (const lane of this.lanes) info = this.receive(lane, -1) as { length: number; batchSize: number };
    } catch (e) {
      this.close();
      throw e;
    }
    this.length = info!.length;
    this.batchSize = info!.batchSize;
  }

  /** Blocks until `lane`'s next message of generation `gen` (older ones are dropped). */
  private receive(lane: Lane, gen: number): Record<string, unknown> {
    for (;;) {
      const seen = Atomics.load(lane.flag, 0);
      const got = receiveMessageOnPort(lane.port);
      if (got) {
        const msg = got.message as Record<string, unknown>;
        if (msg.gen !== gen && msg.gen !== -1 && !msg.ready) {
          // Requested by an abandoned iteration: its array can hold another batch.
          if (msg.data) this.recycle(lane, (msg.data as Float32Array).buffer as ArrayBuffer);
          continue;
        }
        if (msg.fresh) this.batchBuffers++;
        if (msg.error) {
          const err = msg.error as { op?: string; message: string; simdnn: boolean };
          if (err.simdnn && err.op) throw new SimdnnError(err.op, err.message.slice(err.op.length + 2));
          throw new SimdnnError('WorkerDataLoader', `a worker failed: ${err.message}`);
        }
        return msg;
      }
      if (Atomics.load(lane.flag, 1) === 1) throw new SimdnnError('WorkerDataLoader', 'a worker exited unexpectedly');
      const t0 = performance.now();
      Atomics.wait(lane.flag, 0, seen, 1000);
      this.waitedMs += performance.now() - t0;
    }
  }

  [Symbol.iterator](): Iterator<Batch> {
    return this.batches(this.epoch++);
  }

  /** Epoch `epoch`'s batches from batch `start` on, as DataLoader.batches. */
  *batches(epoch: number = this.epoch, start = 0): Generator<Batch> {
    check(!this.closed, 'WorkerDataLoader', 'the loader was closed');
    check(Number.isInteger(epoch) && epoch >= 0, 'WorkerDataLoader', `epoch must be a non-negative integer, got ${String(epoch)}`);
    check(Number.isInteger(start) && start >= 0 && start <= this.length, 'WorkerDataLoader', `start must be a batch number in [0, ${this.length}], got ${String(start)}`);
    const gen = ++this.gen;
    const W = this.lanes.length;
    let requested = start;
    const request = () => {
      if (requested < this.length) this.lanes[requested % W].port.postMessage({ gen, epoch, batch: requested++ });
    };
    while (requested < Math.min(this.length, start + this.prefetch)) request();
    let prev: Batch | null = null;
    try {
      for (let b = start; b < this.length; b++) {
        // The caller is done with the previous batch: its array goes back to its worker first.
        this.release(prev);
        prev = null;
        const lane = this.lanes[b % W];
        const m = this.receive(lane, gen);
        request();
        // A step boundary, as DataLoader's: prefetched batches hold no tensor
        // yet (`x` is made at first use), so none can be released early.
        stepBoundary('WorkerDataLoader batch');
        const giveBack = this.keepTensors ? null : (buffer: ArrayBuffer) => this.recycle(lane, buffer);
        prev = new Batch(m.data as Float32Array, m.shape as [number, number, number, number], m.y as Int32Array, m.indices as Int32Array, epoch, b, giveBack);
        yield prev;
      }
    } finally {
      this.release(prev);
    }
  }

  private release(batch: Batch | null): void {
    if (batch !== null && !this.keepTensors) batch.release('when the WorkerDataLoader handed out the next batch or its loop ended');
  }

  /** Sends an input array back to the worker that made it, for a later batch. */
  private recycle(lane: Lane, buffer: ArrayBuffer): void {
    if (!this.closed && buffer.byteLength > 0) lane.port.postMessage({ recycle: buffer }, [buffer]);
  }

  /** Stops the workers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes) {
      lane.port.close();
      void lane.worker.terminate();
    }
  }
}
