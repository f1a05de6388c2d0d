import { checkKnownKeys, SimdnnError } from '../errors.js';
import { hasRelaxedSimd, hasSharedMemory, hasSimd } from './features.js';
import { Heap } from './heap.js';
import type { Kernels } from './kernels.js';
import { checkKernelArity } from './kernel-arity.js';
import { KERNEL_TABLE } from './kernel-table.generated.js';
import { baselineWasmBase64, relaxedWasmBase64 } from './wasm-binaries.generated.js';
import { ThreadPool, defaultThreadCount } from './pool.js';
import { loadNodePlatform } from './platform.js';
import { withUnsharedMemoryImport } from './unshared-memory.js';
import { liveCounts } from '../memory/live-count.js';
import { restartClock } from '../memory/steps.js';

export interface InitOptions {
  /** Worker threads including the caller; `'auto'` = the cores the runtime reports. Default 1. */
  threads?: number | 'auto';
  /** `'baseline'` (default): SIMD128 mul+add, the same bits everywhere. `'relaxed'`: FMA, faster, opt-in. */
  simd?: 'auto' | 'baseline' | 'relaxed';
}

export interface BackendInfo {
  threads: number;
  simd: 'baseline' | 'relaxed';
  sharedMemory: boolean;
  memoryBytes: number;
  /** Tensor memory blocks not yet released (views share one) and the bytes they hold (docs/memory.md). */
  liveTensors: number;
  liveBytes: number;
}

/** Everything `init` creates; replaced as a whole by the next `init` after `shutdown`. */
export interface Backend {
  readonly epoch: number;
  readonly heap: Heap;
  readonly kernels: Kernels;
  readonly module: WebAssembly.Module;
  readonly simd: 'baseline' | 'relaxed';
  readonly shared: boolean;
  readonly pool: ThreadPool;
  /** Per-thread GEMM packing scratch: `threads * gemmScratchFloats()` floats. */
  readonly gemmScratch: number;
}

let current: Backend | null = null;
let pending: Promise<void> | null = null;
let epochCounter = 0;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const INIT_KEYS = ['threads', 'simd'];

function validate(opts: InitOptions): void {
  if (opts === null || typeof opts !== 'object') throw new SimdnnError('init', `options must be an object, got ${String(opts)}`);
  checkKnownKeys('init', opts, INIT_KEYS);
  const t = opts.threads;
  if (t !== undefined && t !== 'auto' && !(Number.isInteger(t) && t >= 1 && t <= 256)) {
    throw new SimdnnError('init', `threads must be an integer from 1 to 256 or 'auto', got ${String(t)}`);
  }
  const s = opts.simd;
  if (s !== undefined && s !== 'auto' && s !== 'baseline' && s !== 'relaxed') {
    throw new SimdnnError('init', `simd must be 'auto', 'baseline' or 'relaxed', got ${String(s)}`);
  }
}

/**
 * Loads the wasm kernels and starts the worker pool. Idempotent: a second call
 * with the same (or no) options returns at once; different options after a
 * completed init throw — call `shutdown()` first to change them.
 */
export async function init(opts: InitOptions = {}): Promise<void> {
  validate(opts);
  if (pending) await pending;
  if (current) {
    const wantThreads = opts.threads === undefined ? undefined : opts.threads === 'auto' ? defaultThreadCount() : opts.threads;
    const wantSimd = opts.simd === undefined || opts.simd === 'auto' ? undefined : opts.simd;
    if ((wantThreads !== undefined && wantThreads !== current.pool.size && current.shared) ||
        (wantSimd !== undefined && wantSimd !== current.simd)) {
      throw new SimdnnError('init', `already initialised with threads=${current.pool.size}, simd=${current.simd}; call shutdown() before init with other options`);
    }
    return;
  }
  pending = start(opts);
  try {
    await pending;
  } finally {
    pending = null;
  }
}

async function start(opts: InitOptions): Promise<void> {
  if (!hasSimd()) {
    throw new SimdnnError('init', 'this JavaScript engine has no WebAssembly SIMD (needs Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+)');
  }
  const relaxedOk = hasRelaxedSimd();
  const simd = opts.simd ?? 'baseline';
  if (simd === 'relaxed' && !relaxedOk) {
    throw new SimdnnError('init', "simd: 'relaxed' was asked for but this engine has no relaxed SIMD (Node needs --experimental-wasm-relaxed-simd)");
  }
  const variant: 'baseline' | 'relaxed' = simd === 'relaxed' || (simd === 'auto' && relaxedOk) ? 'relaxed' : 'baseline';
  await loadNodePlatform(); // Node: worker_threads and the core count, before 'auto' is resolved
  const shared = hasSharedMemory();
  let threads = opts.threads === undefined ? 1 : opts.threads === 'auto' ? defaultThreadCount() : opts.threads;
  if (!shared && threads > 1) {
    ThreadPool.hintNoSharedMemory();
    threads = 1;
  }
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 65536, shared } as WebAssembly.MemoryDescriptor);
  const compiled = decode(variant === 'relaxed' ? relaxedWasmBase64 : baselineWasmBase64);
  const bytes = shared ? compiled : withUnsharedMemoryImport(compiled);
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  checkKernelArity(instance.exports, KERNEL_TABLE);
  const kernels = instance.exports as unknown as Kernels;
  const heap = new Heap(memory);
  const gemmScratch = heap.alloc(threads * kernels.gemmScratchFloats() * 4);
  const pool = await ThreadPool.create({ threads, module, memory, heap, kernels });
  restartClock(); // new memory: what is made before its first boundary is pre-loop data again
  current = { epoch: ++epochCounter, heap, kernels, module, simd: variant, shared, pool, gemmScratch };
}

/** The running backend; throws a SimdnnError naming `op` before `init()`. */
export function backend(op = 'simdnn'): Backend {
  if (current === null) throw new SimdnnError(op, 'simdnn is not initialised: await sn.init() first');
  return current;
}

export function isInitialised(): boolean {
  return current !== null;
}

export function backendInfo(): BackendInfo {
  const b = backend('backendInfo');
  return { threads: b.pool.size, simd: b.simd, sharedMemory: b.shared, memoryBytes: b.heap.memory.buffer.byteLength, ...liveCounts(b.epoch) };
}

/** Joins the workers and drops the memory; tensors made before become invalid. */
export function shutdown(): void {
  if (current === null) return;
  current.pool.close();
  current = null;
}

