// One tester for every kernel family: each case of the family's table (a
// *-cases.ts file next to this one) against its reference, with the same bits
// on 1, 2, 3 and 5 threads (uneven splits everywhere), and in the relaxed (FMA)
// build against the same reference with the same bits on 1 and 2 threads
// there. A new kernel is tested by adding rows to its family's table.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as sn from '../../src/index.js';
import { bitsEqual, maxRelErr } from '../helpers.js';
import { fromBase64, runRelaxedChild } from '../ops/relaxed-runner.js';
import { runFamily, type KernelCase, type KernelFamily, type Tolerance } from './family.js';

export async function initThreads(threads: number, simd?: 'baseline'): Promise<void> {
  sn.shutdown();
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // more threads than cores
  await sn.init({ threads, ...(simd && { simd }) });
  warn.mockRestore();
}

/**
 * Lets vitest's worker answer its RPC between cases: a table can take a minute
 * on a loaded machine, and a worker blocked that long reports a timeout.
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** runFamily, one case at a time with a breath between them. */
async function runCases(cases: KernelCase[]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  for (const c of cases) {
    out.push(runFamily([c])[0]);
    await breathe();
  }
  return out;
}

const pick = (t: Tolerance | Tolerance[], i: number): Tolerance => (Array.isArray(t) ? t[i] : t);

/** Why `got` is not within `tol` of `want`, or null when it is. */
export function mismatch(got: Float32Array, want: ArrayLike<number>, tol: Tolerance): string | null {
  if (got.length !== want.length) return `length ${got.length}, the reference has ${want.length}`;
  if (tol === 'exact') {
    for (let i = 0; i < got.length; i++) {
      if (!Object.is(got[i], Math.fround(want[i]))) return `element ${i}: ${got[i]}, the reference ${want[i]}`;
    }
    return null;
  }
  const e = maxRelErr(got, want, tol.atol, tol.rtol);
  return e <= 1 ? null : `${e.toPrecision(3)}x the tolerance (atol ${tol.atol}, rtol ${tol.rtol})`;
}

function expectNearReference(c: KernelCase, got: Float32Array[], want: ArrayLike<number>[], tol: Tolerance | Tolerance[], label: string): void {
  expect(got.length, `${c.name}: outputs`).toBe(want.length);
  got.forEach((g, i) => {
    const why = mismatch(g, want[i], pick(tol, i));
    expect(why, `output ${i} of '${c.name}'${label}`).toBeNull();
  });
}

/** Declares the family's tests: reference, thread-count bit identity, relaxed build. */
export function testKernelFamily(family: KernelFamily): void {
  afterAll(() => sn.shutdown());
  const references = new Map<KernelCase, ArrayLike<number>[]>();
  const reference = (c: KernelCase) => references.get(c) ?? references.set(c, c.reference()).get(c)!;
  let table: KernelCase[] | null = null;
  let oneThread: Float32Array[][] | null = null;
  const runOnOneThread = async () => {
    if (!oneThread) {
      await initThreads(1, 'baseline');
      table ??= family.cases();
      oneThread = await runCases(table);
    }
    return oneThread;
  };

  describe(`${family.name} tester`, () => {
    it('matches the reference', async () => {
      const runs = await runOnOneThread();
      for (const [k, c] of table!.entries()) {
        expectNearReference(c, runs[k], reference(c), c.tol, '');
        await breathe();
      }
    });

    it('gives the same bits on 1, 2, 3 and 5 threads', async () => {
      const one = await runOnOneThread();
      for (const threads of [2, 3, 5]) {
        await initThreads(threads, 'baseline');
        expect(sn.backendInfo().threads).toBe(threads);
        (await runCases(table!)).forEach((outs, k) => outs.forEach((o, i) => {
          expect(bitsEqual(o, one[k][i]), `output ${i} of '${table![k].name}', ${threads} threads`).toBe(true);
        }));
      }
    });

    it('relaxed build: matches the reference, with the same bits on 1 and 2 threads', async () => {
      type Run = { simd: string; outputs: string[][] };
      const source = `import { ${family.exportName} } from ${JSON.stringify(fileURLToPath(family.module))};\n` +
        `import { printRelaxedRuns } from ${JSON.stringify(fileURLToPath(new URL('./relaxed-child.ts', import.meta.url)))};\n` +
        `await printRelaxedRuns(${family.exportName});\n`;
      const r = await runRelaxedChild<Record<'relaxed1' | 'relaxed2', Run>>({ source });
      expect([r.relaxed1.simd, r.relaxed2.simd]).toEqual(['relaxed', 'relaxed']);
      const baseline = await runOnOneThread(); // (and the table)
      expect(r.relaxed1.outputs.length).toBe(table!.length);
      let differing = 0;
      for (const [k, c] of table!.entries()) {
        const fma = r.relaxed1.outputs[k].map(fromBase64);
        fma.forEach((o, i) => { if (!bitsEqual(o, baseline[k][i])) differing++; });
        expectNearReference(c, fma, reference(c), c.tol, ', relaxed build');
        r.relaxed2.outputs[k].forEach((o, i) => {
          expect(bitsEqual(fromBase64(o), fma[i]), `output ${i} of '${c.name}', relaxed build, 2 threads`).toBe(true);
        });
        await breathe();
      }
      if (family.relaxedChangesBits) expect(differing, 'outputs whose bits the relaxed build changes').toBeGreaterThan(0);
    });
  });
}
