import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sn from '../../src/index.js';
import { WorkerDataLoader } from '../../src/data/node/index.js';
import { SimdnnError } from '../../src/errors.js';

// Workers run plain JS: bundle sn.data once and write a pipeline module that uses it.
let dir = '';
let pipeline = '';
beforeAll(async () => {
  await sn.init({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'simdnn-worker-loader-'));
  await build({ entryPoints: ['src/data/index.ts'], outfile: join(dir, 'data.mjs'), bundle: true, format: 'esm', platform: 'node', logLevel: 'silent' });
  pipeline = join(dir, 'pipeline.mjs');
  writeFileSync(pipeline, `
import * as data from './data.mjs';
export function makeLoader({ n, batchSize, seed, failAt = -1 }) {
  const pixels = new Uint8Array(n * 3 * 6 * 6);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 255;
  const ds = new data.ImageArrayDataset({ pixels, labels: Array.from({ length: n }, (_, i) => i % 4), channels: 3, height: 6, width: 6 });
  // Sample failAt reads a corrupt file, as a broken image in a folder would.
  const maybeBroken = { length: n, get: (i) => (i === failAt ? data.parseIdx(new Uint8Array(2), 'corrupt-' + i + '.idx') : ds.get(i)) };
  const transform = (img, rng) => data.horizontalFlip(data.randomCrop(img, 4, { rng, padding: 1 }), { rng });
  return new data.DataLoader(maybeBroken, { batchSize, shuffle: true, seed, transform });
}
export const notAFactory = 3;
`);
});
afterAll(() => {
  sn.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (it: Iterable<{ data: Float32Array; y: Int32Array; indices: Int32Array }>) =>
  [...it].map((b) => ({ data: Array.from(b.data), y: Array.from(b.y), idx: Array.from(b.indices) }));

describe('WorkerDataLoader', () => {
  it('gives the same batches as the DataLoader its module builds, for 1 and 3 workers, and resumes mid-epoch', async () => {
    const args = { n: 37, batchSize: 5, seed: 11 };
    const { makeLoader } = await import(pathToFileURL(pipeline).href);
    const local = makeLoader(args);
    const e0 = rows(local.batches(0)), e1 = rows(local.batches(1));
    for (const workers of [1, 3]) {
      const wl = new WorkerDataLoader(pipeline, { args, workers });
      try {
        expect(wl.length).toBe(8);
        expect(rows(wl)).toEqual(e0);
        expect(rows(wl)).toEqual(e1);
        expect(rows(wl.batches(1, 6))).toEqual(e1.slice(6));
        // Abandon an epoch after one batch; the next iteration is not confused by the prefetched ones.
        for (const _ of wl.batches(0)) break;
        expect(rows(wl.batches(0))).toEqual(e0);
      } finally {
        wl.close();
      }
    }
  });

  it('passes a worker-side SimdnnError through, and reports a bad module', () => {
    const wl = new WorkerDataLoader(pipeline, { args: { n: 10, batchSize: 4, seed: 1, failAt: 3 }, workers: 2 });
    try {
      expect(() => [...wl]).toThrow(SimdnnError);
      expect(() => [...wl]).toThrow('readIdx: corrupt-3.idx: is 2 bytes, too short for the 4-byte IDX magic number');
    } finally {
      wl.close();
    }
    expect(() => new WorkerDataLoader(pipeline, { exportName: 'notAFactory' })).toThrow(/WorkerDataLoader: a worker failed: module .* exports no function notAFactory/);
    expect(() => new WorkerDataLoader(join(dir, 'missing.mjs'))).toThrow(/WorkerDataLoader: a worker failed: .*Cannot find module/);
    expect(() => new WorkerDataLoader(pipeline, { workers: 0 })).toThrow(/workers must be a positive integer/);
  });
});

describe('WorkerDataLoader releases its batches as DataLoader does', () => {
  const args = { n: 97, batchSize: 4, seed: 5 }; // 25 batches, the last one of 1
  for (const workers of [1, 2]) {
    it(`${workers} worker(s): x-only loops (for..of, for await) reuse the arrays over 6 epochs, with the plain loader's bits`, async () => {
      const { makeLoader } = await import(pathToFileURL(pipeline).href);
      const local = makeLoader(args);
      const wl = new WorkerDataLoader(pipeline, { args, workers });
      try {
        for (let e = 0; e < 6; e++) {
          const ref = rows(local.batches(e)).map((r) => r.data);
          const seen: number[][] = [];
          if (e % 2 === 0) for (const b of wl) seen.push(Array.from(b.x.toFloat32Array()));
          else for await (const b of wl) seen.push(Array.from(b.x.toFloat32Array()));
          expect(seen).toEqual(ref);
        }
        // 150 batches from at most prefetch + 2 arrays per worker (a fresh array per batch without reuse).
        expect(wl.batchBuffers).toBeGreaterThan(0);
        expect(wl.batchBuffers).toBeLessThanOrEqual(workers * (wl.prefetch + 2));
      } finally {
        wl.close();
      }
    });
  }

  it('a released batch whose array went back throws a SimdnnError; read data stays; sn.keep(x) stays; keepTensors keeps all', async () => {
    const { makeLoader } = await import(pathToFileURL(pipeline).href);
    const ref = rows(makeLoader(args).batches(0)).map((r) => r.data);
    const wl = new WorkerDataLoader(pipeline, { args, workers: 2 });
    try {
      const held: { b: { x: sn.Tensor; data: Float32Array }; read: Float32Array | null }[] = [];
      let kept: sn.Tensor | null = null;
      for (const b of wl) {
        if (b.index === 0) kept = sn.keep(b.x);
        else b.x;
        held.push({ b, read: b.index % 3 === 2 ? b.data : null });
      }
      expect(() => held[1].b.x).toThrow(SimdnnError);
      expect(() => held[1].b.data).toThrow(/Batch\.data: batch 1 of epoch 0 was released when the WorkerDataLoader handed out the next batch or its loop ended/);
      expect(Array.from(kept!.toFloat32Array())).toEqual(ref[0]);
      kept!.dispose();
      for (const h of held) if (h.read !== null) expect(Array.from(h.read)).toEqual(ref[held.indexOf(h)]);
      for (const h of held) if (h.read !== null) expect(h.b.data).toBe(h.read);
    } finally {
      wl.close();
    }
    const whole = new WorkerDataLoader(pipeline, { args, workers: 2, keepTensors: true });
    try {
      const all = [];
      for (const b of whole) all.push((b.x, b));
      expect(all.map((b) => Array.from(b.x.toFloat32Array()))).toEqual(ref);
    } finally {
      whole.close();
    }
  });
});

describe('WorkerDataLoader priority', () => {
  /** Threads of this process not in `old` at niceness 19 (Linux's /proc: field 19 of a task's stat). */
  const niced = (old: Set<string>) => readdirSync('/proc/self/task').filter((t) => {
    if (old.has(t)) return false;
    try {
      return readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16] === '19';
    } catch {
      return false; // the thread ended
    }
  }).length;

  it.runIf(process.platform === 'linux')("'low' runs the worker's thread at niceness 19, 'normal' (default) leaves it", () => {
    const args = { n: 12, batchSize: 4, seed: 1 };
    for (const [priority, want] of [[undefined, 0], ['normal', 0], ['low', 1]] as const) {
      const old = new Set(readdirSync('/proc/self/task')); // earlier loaders' threads may still be shutting down
      const wl = new WorkerDataLoader(pipeline, { args, workers: 1, ...(priority ? { priority } : {}) });
      try {
        for (const _ of wl); // eslint-disable-line no-empty
        expect(niced(old), String(priority)).toBe(want);
      } finally {
        wl.close();
      }
    }
  });

  it('rejects a bad priority', () => {
    expect(() => new WorkerDataLoader(pipeline, { priority: 'high' as never })).toThrow(/WorkerDataLoader: priority must be 'low' or 'normal', got high/);
  });
});
