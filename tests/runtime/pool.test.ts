import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import * as sn from '../../src/index.js';
import { backend } from '../../src/runtime/backend.js';
import { kernels } from '../../src/runtime/kernel-calls.js';
import { gemm } from '../../src/ops/gemm.js';
import { CLAIM_ADDRESS } from '../../src/runtime/control-block.js';
import { bitsEqual, randomArray } from '../helpers.js';

afterEach(() => vi.restoreAllMocks());
afterAll(() => sn.shutdown());

/** Inits with `threads` (silencing the more-threads-than-cores warning), runs `fn`, shuts down. */
async function withThreads<T>(threads: number, fn: () => T): Promise<T> {
  sn.shutdown();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  await sn.init({ threads });
  expect(sn.backendInfo().threads).toBe(threads);
  try {
    return fn();
  } finally {
    sn.shutdown();
  }
}

// Awkward sizes: primes, edges of the MR/NR tiles, N split when M is short,
// and sizes past the KC/NC cache blocks; all well above the one-thread cut-off.
const SHAPES: [number, number, number][] = [[131, 67, 257], [7, 1031, 97], [401, 389, 523], [64, 4099, 33], [257, 2, 1500]];

function matmulBytes(): Float32Array[] {
  return SHAPES.map(([M, N, K], s) => sn.tidy(() => {
    const a = sn.tensor(randomArray(M * K, 3 * s + 1), [M, K]);
    const b = sn.tensor(randomArray(K * N, 3 * s + 2), [K, N]);
    return sn.matmul(a, b).toFloat32Array();
  }));
}

/** The internal gemm with every transpose, accumulate, bias and ReLU epilogue. */
function gemmBytes(): Float32Array[] {
  const out: Float32Array[] = [];
  let seed = 100;
  for (const [M, N, K] of SHAPES) {
    for (const [tA, tB, acc, epi] of [[false, false, false, 0], [true, false, true, 1], [false, true, false, 2], [true, true, true, 0]] as const) {
      sn.tidy(() => {
        const A = sn.tensor(randomArray(M * K, seed++), [M * K]);
        const B = sn.tensor(randomArray(K * N, seed++), [K * N]);
        const C = sn.tensor(randomArray(M * N, seed++), [M * N]);
        const bias = sn.tensor(randomArray(Math.max(M, N), seed++), [Math.max(M, N)]);
        gemm({
          transA: tA, transB: tB, M, N, K, a: A.ptr(), lda: tA ? M : K, b: B.ptr(), ldb: tB ? K : N,
          c: C.ptr(), ldc: N, accumulate: acc, bias: epi ? bias.ptr() : 0, epilogue: epi, relu: acc,
        });
        out.push(C.toFloat32Array());
      });
    }
  }
  return out;
}

describe('thread pool', () => {
  it('gives the same bytes for 1, 2, 3 and 4 threads (sn.matmul and the internal gemm)', async () => {
    const ref = await withThreads(1, () => [...matmulBytes(), ...gemmBytes()]);
    for (const threads of [2, 3, 4]) {
      const got = await withThreads(threads, () => [...matmulBytes(), ...gemmBytes()]);
      expect(got.length).toBe(ref.length);
      got.forEach((g, i) => expect(bitsEqual(g, ref[i]), `threads=${threads} case ${i}`).toBe(true));
    }
  });

  it('forced thread counts per call give the same bytes as the whole pool', async () => {
    await withThreads(4, () => {
      const [M, N, K] = [203, 157, 311];
      sn.tidy(() => {
        const A = sn.tensor(randomArray(M * K, 7), [M * K]);
        const B = sn.tensor(randomArray(K * N, 8), [K * N]);
        const results = [1, 2, 3, 4].map((t) => {
          const C = sn.zeros([M * N]);
          gemm({ M, N, K, a: A.ptr(), lda: K, b: B.ptr(), ldb: N, c: C.ptr(), ldc: N, threads: t });
          return C.toFloat32Array();
        });
        for (const r of results) expect(bitsEqual(r, results[0])).toBe(true);
      });
    });
  });

  it('a trap inside a worker reaches the caller as a SimdnnError and the pool stays usable', async () => {
    await withThreads(3, () => {
      // Share 0 (the caller's) waits until share trapTid is claimed elsewhere: the trap runs on a worker.
      for (const trapTid of [1, 2]) {
        let caught: unknown = null;
        try {
          kernels.debugTrapOnThread({ trapTid, claimAddr: CLAIM_ADDRESS });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(sn.SimdnnError);
        expect(String((caught as Error).message)).toBe(`debugTrapOnThread: kernel failed in share ${trapTid} of 3 (on a worker): unreachable`);
      }
      expect(() => kernels.debugTrapOnThread({ trapTid: 0, claimAddr: 0 })).toThrow(/share 0 of 3 \(on the calling thread\): unreachable/);
      expect(() => kernels.debugTrapOnThread({ trapTid: 0, claimAddr: 0 }, 1)).toThrow(/share 0 of 1 \(on the calling thread\): unreachable/);
      kernels.debugTrapOnThread({ trapTid: -1, claimAddr: 0 }); // nobody traps
      // The pool still computes: a split GEMM after the faults matches one thread.
      const [M, N, K] = [150, 130, 120];
      sn.tidy(() => {
        const A = sn.tensor(randomArray(M * K, 1), [M * K]);
        const B = sn.tensor(randomArray(K * N, 2), [K * N]);
        const C1 = sn.zeros([M * N]);
        const C3 = sn.zeros([M * N]);
        gemm({ M, N, K, a: A.ptr(), lda: K, b: B.ptr(), ldb: N, c: C1.ptr(), ldc: N, threads: 1 });
        gemm({ M, N, K, a: A.ptr(), lda: K, b: B.ptr(), ldb: N, c: C3.ptr(), ldc: N, threads: 3 });
        expect(bitsEqual(C1.toFloat32Array(), C3.toFloat32Array())).toBe(true);
      });
    });
  });

  it('a per-call thread count leaves the other shares out', async () => {
    await withThreads(3, () => {
      kernels.debugTrapOnThread({ trapTid: 2, claimAddr: 0 }, 2); // only shares 0 and 1 exist
      expect(() => kernels.debugTrapOnThread({ trapTid: 1, claimAddr: CLAIM_ADDRESS }, 2)).toThrow(/share 1 of 2 \(on a worker\)/);
    });
  });

  it('an unknown kernel name or a call after shutdown throws a SimdnnError', async () => {
    await withThreads(2, () => {
      expect(() => backend().pool.run('noSuchKernel', [])).toThrow(/noSuchKernel: no such kernel in the wasm module/);
    });
    expect(() => kernels.debugEmpty({ claimAddr: 0 })).toThrow(/not initialised/);
  });

  it('init twice is harmless; other options need shutdown first; more threads than cores warns', async () => {
    sn.shutdown();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await sn.init({ threads: 2 });
    await sn.init({ threads: 2 });
    await sn.init();
    expect(sn.backendInfo()).toMatchObject({ threads: 2, sharedMemory: true });
    await expect(sn.init({ threads: 3 })).rejects.toThrow(/call shutdown\(\) before init/);
    sn.shutdown();
    sn.shutdown();
    const os = await import('node:os');
    const over = os.availableParallelism() + 1;
    warn.mockClear();
    await sn.init({ threads: over });
    expect(warn.mock.calls.some((c) => String(c[0]).includes(`threads=${over} is more than the ${over - 1} cores`))).toBe(true);
    sn.shutdown();
    await sn.init({ threads: 'auto' });
    expect(sn.backendInfo().threads).toBe(os.availableParallelism());
    sn.shutdown();
  });

  it('a Node process that inits with 2 threads exits by itself, with or without shutdown()', async () => {
    // The child loads a minified bundle built like dist/index.js: the worker
    // source then comes from minified code, as it does for users.
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-exit-'));
    const bundle = join(dir, 'index.js');
    await build({
      entryPoints: [fileURLToPath(new URL('../../src/index.ts', import.meta.url))], outfile: bundle,
      bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', external: ['node:*'], minify: true, logLevel: 'silent',
    });
    try {
      for (const tail of ['sn.shutdown();', '']) {
        const script = `
          const sn = await import(${JSON.stringify(pathToFileURL(bundle).href)});
          await sn.init({ threads: 2 });
          const c = sn.matmul(sn.randn([300, 200]), sn.randn([200, 100]));
          console.log('threads', sn.backendInfo().threads, 'size', c.toFloat32Array().length);
          ${tail}`;
        const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
        expect(r.error, r.stderr).toBeUndefined();
        expect(r.signal, r.stderr).toBeNull();
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain('threads 2 size 30000');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
