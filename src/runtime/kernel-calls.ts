import { SimdnnError } from '../errors.js';
import { backend } from './backend.js';
import { KERNEL_TABLE } from './kernel-table.generated.js';

type Table = typeof KERNEL_TABLE;
export type KernelName = keyof Table;
/** Named arguments of kernel `K`, one number per wasm parameter: a missing or misspelled one fails to compile. */
export type KernelArgs<K extends KernelName> = { readonly [P in Table[K]['params'][number]]: number };
/**
 * A split kernel runs on `threads` threads of the pool (default: all of it;
 * `1`: the calling thread only) and returns nothing; the others run once on
 * the calling thread and return the export's result.
 */
type KernelCall<K extends KernelName> = Table[K]['split'] extends true
  ? (args: KernelArgs<K>, threads?: number) => void
  : (args: KernelArgs<K>) => number;
export type KernelCalls = { readonly [K in KernelName]: KernelCall<K> };

/** The arguments in the export's order; a JS caller's missing one is an error, not a shifted `tid`. */
function positional(name: string, params: readonly string[], args: Readonly<Record<string, number>>): number[] {
  const out = new Array<number>(params.length);
  for (let i = 0; i < params.length; i++) {
    const v = args[params[i]];
    if (typeof v !== 'number') throw new SimdnnError(name, `kernel argument '${params[i]}' must be a number, got ${String(v)}`);
    out[i] = v;
  }
  return out;
}

function makeCall(name: string, params: readonly string[], split: boolean): unknown {
  if (split) {
    return (args: Record<string, number>, threads?: number) => backend(name).pool.run(name, positional(name, params, args), threads);
  }
  return (args: Record<string, number>) => {
    const fn = backend(name).kernels[name];
    const call = positional(name, params, args);
    try {
      return fn(...call);
    } catch (e) {
      throw new SimdnnError(name, `kernel failed: ${e instanceof Error ? e.message || e.name : String(e)}`);
    }
  };
}

/**
 * Every wasm kernel, called with named arguments, e.g.
 * `kernels.fill({ dst, value: 0, n }, elementwiseThreads(n))`. The only way
 * TypeScript calls a kernel; the positional form stays inside the pool.
 */
export const kernels = Object.fromEntries(
  Object.entries(KERNEL_TABLE).map(([name, sig]) => [name, makeCall(name, sig.params, sig.split)]),
) as KernelCalls;
