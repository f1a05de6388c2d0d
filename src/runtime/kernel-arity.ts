import { SimdnnError } from '../errors.js';

export interface KernelSignature {
  readonly params: readonly string[];
  readonly split: boolean;
}

/**
 * At init: every kernel the table lists is a wasm export taking exactly its
 * parameters (plus `tid, nthreads` when split), and the module exports no
 * function the table lacks. A wasm and a table from different builds would
 * otherwise shift arguments silently (an export ignores extra arguments and
 * reads missing ones as 0).
 */
export function checkKernelArity(exports: WebAssembly.Exports, table: Readonly<Record<string, KernelSignature>>): void {
  const rebuild = 'the wasm and src/runtime/kernel-table.generated.ts are from different builds; run npm run build:wasm';
  for (const [name, sig] of Object.entries(table)) {
    const fn = exports[name];
    if (typeof fn !== 'function') throw new SimdnnError('init', `the kernel table lists '${name}' but the wasm module does not export it: ${rebuild}`);
    const want = sig.params.length + (sig.split ? 2 : 0);
    if (fn.length !== want) {
      const names = [...sig.params, ...(sig.split ? ['tid', 'nthreads'] : [])].join(', ');
      throw new SimdnnError('init', `wasm export '${name}' takes ${fn.length} arguments, the kernel table expects ${want} (${names}): ${rebuild}`);
    }
  }
  for (const [name, fn] of Object.entries(exports)) {
    if (typeof fn === 'function' && !(name in table)) throw new SimdnnError('init', `wasm export '${name}' is not in the kernel table: ${rebuild}`);
  }
}
