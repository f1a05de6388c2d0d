import { describe, expect, it } from 'vitest';
import { withUnsharedMemoryImport } from '../../src/runtime/unshared-memory.js';
import { baselineWasmBase64, relaxedWasmBase64 } from '../../src/runtime/wasm-binaries.generated.js';

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('withUnsharedMemoryImport', () => {
  it('lets both builds instantiate over a plain memory and compute the same as over a shared one', async () => {
    for (const b64 of [baselineWasmBase64, relaxedWasmBase64]) {
      if (b64 === relaxedWasmBase64 && !WebAssembly.validate(bytes(b64))) continue; // Node 20 has no relaxed SIMD
      const original = bytes(b64);
      const plain = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
      await expect(WebAssembly.instantiate(original, { env: { memory: plain } })).rejects.toThrow(/shared/);
      const patched = withUnsharedMemoryImport(original);
      expect(patched.length).toBe(original.length);
      expect(patched.filter((b, i) => b !== original[i]).length).toBe(1);
      const { instance } = await WebAssembly.instantiate(patched, { env: { memory: plain } });
      const fill = instance.exports.fill as (dst: number, v: number, n: number, tid: number, nt: number) => void;
      fill(65536, 1.5, 10, 0, 1);
      expect(Array.from(new Float32Array(plain.buffer, 65536, 11))).toEqual([...new Array(10).fill(1.5), 0]);
    }
  });

  it('refuses a module without a shared memory import', () => {
    // (module) with no sections
    expect(() => withUnsharedMemoryImport(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).toThrow(/imports no shared memory/);
  });
});
