// docs/memory.md: batches from a DataLoader or WorkerDataLoader, in `for..of` and
// `for await`, with the plain training loop: memory flat, no tidy, no dispose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sn from '../../src/index.js';
import { WorkerDataLoader } from '../../src/data/node/index.js';
import type { Tensor } from '../../src/tensor.js';
import { memory, TinyNet } from './loop-helpers.js';

const N = 4 * 230; // 230 batches of 4 one-channel 8x8 images
const images = () => {
  const pixels = new Uint8Array(N * 64);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 255;
  return { pixels, labels: Array.from({ length: N }, (_, i) => i % 10), channels: 1, height: 8, width: 8 };
};
const loader = () => new sn.data.DataLoader(new sn.data.ImageArrayDataset(images()), { batchSize: 4, shuffle: true, seed: 2 });

let dir = '';
let pipeline = '';
beforeAll(async () => {
  await sn.init({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'simdnn-memory-loader-'));
  await build({ entryPoints: ['src/data/index.ts'], outfile: join(dir, 'data.mjs'), bundle: true, format: 'esm', platform: 'node', logLevel: 'silent' });
  pipeline = join(dir, 'pipeline.mjs');
  writeFileSync(pipeline, `
import * as data from './data.mjs';
export function makeLoader() {
  const pixels = new Uint8Array(${N} * 64);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 255;
  const ds = new data.ImageArrayDataset({ pixels, labels: Array.from({ length: ${N} }, (_, i) => i % 10), channels: 1, height: 8, width: 8 });
  return new data.DataLoader(ds, { batchSize: 4, shuffle: true, seed: 2 });
}
`);
});
afterAll(() => {
  sn.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** One plain training step on a batch; returns the memory after steps 20 and 220 through `seen`. */
function trainer() {
  const model = new TinyNet();
  const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const seen: ReturnType<typeof memory>[] = [];
  let step = 0;
  return {
    seen,
    step(x: Tensor, y: Int32Array) {
      opt.zeroGrad();
      const out = model.forward(x);
      const loss = sn.F.crossEntropy(out, y);
      loss.backward();
      opt.step();
      expect(Number.isFinite(loss.item())).toBe(true);
      step++;
      if (step === 20 || step === 220) seen.push(memory());
    },
  };
}

describe('training on loader batches keeps memory flat', () => {
  it('for (const [x, y] of loader)', () => {
    const t = trainer();
    for (const [x, y] of loader()) t.step(x as Tensor, y as Int32Array);
    expect(t.seen).toHaveLength(2);
    expect(t.seen[1]).toEqual(t.seen[0]);
  });

  it('for await (const batch of loader), with an await in every step', async () => {
    const t = trainer();
    for await (const batch of loader()) {
      t.step(batch.x, batch.y);
      await new Promise((r) => setImmediate(r));
    }
    expect(t.seen).toHaveLength(2);
    expect(t.seen[1]).toEqual(t.seen[0]);
  });

  it('for await over a WorkerDataLoader (prefetching 4 batches)', async () => {
    const wl = new WorkerDataLoader(pipeline, { workers: 2, prefetch: 4 });
    try {
      const t = trainer();
      for await (const [x, y] of wl) t.step(x as Tensor, y as Int32Array);
      expect(t.seen).toHaveLength(2);
      expect(t.seen[1]).toEqual(t.seen[0]);
    } finally {
      wl.close();
    }
  });
});
