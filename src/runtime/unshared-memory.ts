/**
 * The kernels are compiled once, for an imported SHARED memory. Where there is
 * no SharedArrayBuffer (a page that is not cross-origin isolated) a module
 * that declares a shared memory cannot be instantiated at all, so the loader
 * flips one flag byte in the memory import (limits 0x03 "max + shared" ->
 * 0x01 "max"): the same code over a plain memory, one thread, the same bits.
 * Atomic instructions stay valid on an unshared memory.
 */
export function withUnsharedMemoryImport(wasm: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = wasm.slice();
  let pos = 8; // magic + version
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = out[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const skipName = (): void => {
    const n = leb();
    pos += n;
  };
  while (pos < out.length) {
    const id = out[pos++];
    const size = leb();
    const end = pos + size;
    if (id !== 2) {
      pos = end;
      continue;
    }
    const count = leb();
    for (let i = 0; i < count; i++) {
      skipName();
      skipName();
      const kind = out[pos++];
      if (kind === 0x00) leb(); // function: type index
      else if (kind === 0x01) { pos++; skipLimits(); } // table: reftype + limits
      else if (kind === 0x03) pos += 2; // global: valtype + mutability
      else if (kind === 0x02) {
        if (out[pos] === 0x03) {
          out[pos] = 0x01;
          return out;
        }
        skipLimits();
      } else break;
    }
    break;
  }
  throw new Error('withUnsharedMemoryImport: the module imports no shared memory');

  function skipLimits(): void {
    const flags = out[pos++];
    leb();
    if (flags & 1) leb();
  }
}
