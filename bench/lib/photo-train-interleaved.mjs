// AlexNet training steps of three kinds interleaved in one process, for bench/lib/photo-folder-bench.mjs:
// argv root batchSize rounds threads; prints JSON (median ms per step of each kind, ratios to 'tensors').
// 'tensors': a pre-decoded batch (the data worker idle: its prefetched batches wait);
// 'folder': the next WorkerDataLoader batch, the data threads at normal priority while the worker
// builds the batch that replaces it; 'folder-low': the same at niceness 19 (priority 'low', set
// per step here on the threads the loader added). Interleaving makes load from other processes hit
// the three alike, which sequential runs do not. Linux only (/proc, per-thread niceness).
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import * as sn from '../../dist/index.js';
import { WorkerDataLoader } from '../../dist/node.js';
import { makeLoader } from './alexnet-folder-pipeline.mjs';

const [root, batchSize, rounds, threads] = process.argv.slice(2);
const B = Number(batchSize), R = Number(rounds);
await sn.init({ threads: Number(threads) });
const model = sn.models.alexnet({ numClasses: 4, seed: 1 });
const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
model.train();
const step = (x, y) => sn.tidy(() => {
  const loss = sn.F.crossEntropy(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss.item();
});
const local = makeLoader({ root, batchSize: B, seed: 1 });
const pre = [];
for (let b = 0; b < 2; b++) {
  const batch = await local.batchAsync(0, b);
  pre.push({ x: sn.keep(sn.tensor(batch.data, batch.shape)), y: batch.y });
}
const before = new Set(readdirSync('/proc/self/task'));
const wl = new WorkerDataLoader(new URL('./alexnet-folder-pipeline.mjs', import.meta.url), { args: { root, batchSize: B, seed: 1 }, workers: 1 });
const it = (function* () { for (let e = 0; ; e++) yield* wl.batches(e); })();
// The data worker's threads (and libvips' workers it started): the ones this process did not have before the loader.
const nice = (n) => {
  for (const t of readdirSync('/proc/self/task')) if (!before.has(t)) try { setPriority(Number(t), n); } catch {}
};
for (let i = 0; i < 2; i++) {
  const b = it.next().value;
  step(b.x, b.y);
  step(pre[0].x, pre[0].y);
}
const kinds = ['tensors', 'folder', 'folder-low'];
const ms = Object.fromEntries(kinds.map((k) => [k, []]));
const w0 = wl.waitedMs;
for (let r = 0; r < R; r++) {
  for (const k of kinds) {
    if (k !== 'tensors') nice(k === 'folder' ? 0 : 19);
    const t0 = performance.now();
    if (k === 'tensors') step(pre[r % 2].x, pre[r % 2].y);
    else {
      const b = it.next().value;
      step(b.x, b.y);
    }
    ms[k].push(performance.now() - t0);
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const out = Object.fromEntries(kinds.map((k) => [k, median(ms[k])]));
console.log(JSON.stringify({ ...out, folderRatio: out.tensors / out.folder, lowRatio: out.tensors / out['folder-low'], waitedPerFolderStep: (wl.waitedMs - w0) / (2 * R) }));
wl.close();
sn.shutdown();
