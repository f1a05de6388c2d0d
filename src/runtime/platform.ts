import { isNode } from './features.js';

/**
 * Node built-ins the pool needs, loaded once by dynamic import so that the one
 * bundle stays platform-neutral (browsers never reach these imports).
 */
interface NodeWorker {
  on(event: 'message' | 'error' | 'exit', fn: (v: unknown) => void): void;
  postMessage(m: unknown): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}
export interface NodePlatform {
  Worker: new (src: string, opts: { eval: true; name?: string }) => NodeWorker;
  availableParallelism: () => number;
}

let node: NodePlatform | null = null;

/**
 * `import()` of a Node built-in through a variable: bundlers targeting the
 * browser (esbuild platform 'browser') then leave it alone
 * instead of failing to resolve `node:…`; only Node ever runs it.
 */
const importBuiltin = (name: string): Promise<any> => import(name);

export async function loadNodePlatform(): Promise<NodePlatform | null> {
  if (!isNode()) return null;
  if (node === null) {
    const [wt, os] = await Promise.all([importBuiltin('node:worker_threads'), importBuiltin('node:os')]);
    node = {
      Worker: wt.Worker as unknown as NodePlatform['Worker'],
      availableParallelism: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
    };
  }
  return node;
}

/** The Node platform if `loadNodePlatform()` already ran (synchronous callers). */
export function nodePlatform(): NodePlatform | null {
  return node;
}

/** Cores the runtime reports (`os.availableParallelism()`, `navigator.hardwareConcurrency`). */
export function reportedCores(): number {
  if (node !== null) return Math.max(1, node.availableParallelism());
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  return 1;
}

/**
 * Whether this thread may block in `Atomics.wait`: a browser page's main
 * thread may not (it throws). Asked of the engine rather than guessed.
 */
export function canBlock(ints: Int32Array): boolean {
  try {
    // A value that differs from the slot's returns 'not-equal' at once where
    // waiting is allowed, and throws where it is not.
    Atomics.wait(ints, 0, Atomics.load(ints, 0) + 1, 0);
    return true;
  } catch {
    return false;
  }
}
