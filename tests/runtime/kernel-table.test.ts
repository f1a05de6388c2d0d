import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { checkKernelArity } from '../../src/runtime/kernel-arity.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { KERNEL_TABLE } from '../../src/runtime/kernel-table.generated.js';

beforeAll(() => sn.init());
afterAll(() => sn.shutdown());

describe('kernel table', () => {
  it('matches the loaded wasm (init ran the same check)', () => {
    expect(() => checkKernelArity(backend().kernels, KERNEL_TABLE)).not.toThrow();
  });

  it('a table with a wrong arity fails clearly, naming the export and its parameters', () => {
    const extra = { ...KERNEL_TABLE, fill: { params: ['dst', 'v', 'n', 'stride'], split: true } };
    expect(() => checkKernelArity(backend().kernels, extra))
      .toThrow(/init: wasm export 'fill' takes 5 arguments, the kernel table expects 6 \(dst, v, n, stride, tid, nthreads\)/);
    const unsplit = { ...KERNEL_TABLE, fill: { params: ['dst', 'v', 'n'], split: false } };
    expect(() => checkKernelArity(backend().kernels, unsplit)).toThrow(/'fill' takes 5 arguments, the kernel table expects 3/);
  });

  it('a table that lists an export the wasm lacks, or lacks one it has, fails clearly', () => {
    const ghost = { ...KERNEL_TABLE, noSuchKernel: { params: [], split: false } };
    expect(() => checkKernelArity(backend().kernels, ghost)).toThrow(/lists 'noSuchKernel' but the wasm module does not export it/);
    const { fill: _fill, ...missing } = KERNEL_TABLE;
    expect(() => checkKernelArity(backend().kernels, missing)).toThrow(/wasm export 'fill' is not in the kernel table/);
  });

  it('calls kernels by name, and a JS caller missing an argument gets an error instead of a shifted tid', () => {
    const t = sn.zeros([5]);
    kernels.fill({ dst: t.ptr(), v: 2.5, n: 5 }, 1);
    expect(Array.from(t.toFloat32Array())).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(kernels.winogradLineFloats({ tilesW: 3 })).toBeGreaterThan(0);
    const loose = kernels.fill as unknown as (args: object) => void;
    expect(() => loose({ dst: t.ptr(), n: 5 })).toThrow(/fill: kernel argument 'v' must be a number, got undefined/);
    t.dispose();
  });

  it('rejects missing and misspelled arguments at compile time', () => {
    const call = (f: () => void) => expect(f).toThrow(); // each runs only to prove the types, and fails at run time too
    // @ts-expect-error 'v' is missing
    call(() => kernels.fill({ dst: 0, n: 1 }));
    // @ts-expect-error 'w' is not a parameter of fill
    call(() => kernels.fill({ dst: 0, w: 0, n: 1 }));
  });
});
