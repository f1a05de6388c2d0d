// One end-to-end AlexNet training measurement for bench/lib/photo-folder-bench.mjs, in its own process:
// argv root mode(tensors|folder|folder-low) workers batchSize warmSteps steps threads; prints JSON.
// Both modes run the same step (forward, cross-entropy, backward, SGD momentum 0.9, weight
// decay 5e-4) on [batch, 3, 224, 224] inputs. 'tensors': a few batches of the pipeline decoded
// once beforehand and kept as tensors in wasm memory (the step does no data work at all).
// 'folder': each step takes the next batch from the WorkerDataLoader (sharp decoding and the
// AlexNet augmentation in `workers` worker threads while the step runs) and makes its tensor.
import * as sn from '../../dist/index.js';
import { WorkerDataLoader } from '../../dist/node.js';
import { makeLoader } from './alexnet-folder-pipeline.mjs';

const [root, mode, workers, batchSize, warmSteps, steps, threads] = process.argv.slice(2);
const B = Number(batchSize), W = Number(warmSteps), S = Number(steps);
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

let next, close = () => {}, waited = () => 0;
if (mode === 'tensors') {
  const local = makeLoader({ root, batchSize: B, seed: 1 });
  const pre = [];
  for (let b = 0; b < 4; b++) {
    const batch = await local.batchAsync(0, b);
    pre.push({ x: sn.keep(sn.tensor(batch.data, batch.shape)), y: batch.y });
  }
  let k = 0;
  next = () => pre[k++ % pre.length];
} else {
  // folder-low: the data threads at low priority (WorkerDataLoader's priority: 'low').
  const priority = mode === 'folder-low' ? 'low' : 'normal';
  const wl = new WorkerDataLoader(new URL('./alexnet-folder-pipeline.mjs', import.meta.url), { args: { root, batchSize: B, seed: 1 }, workers: Number(workers), priority });
  const it = (function* () { for (let e = 0; ; e++) yield* wl.batches(e); })();
  // As a training loop takes a batch: its tensor x, released (and its array reused) at the next batch.
  next = () => it.next().value;
  close = () => wl.close();
  waited = () => wl.waitedMs;
}
for (let i = 0; i < W; i++) { const { x, y } = next(); step(x, y); }
// CPU time of the whole process: the compute threads, and in 'folder' mode the data worker and sharp's threads too.
const w0 = waited(), t0 = performance.now(), u0 = process.cpuUsage();
for (let i = 0; i < S; i++) { const { x, y } = next(); step(x, y); }
const ms = performance.now() - t0, u = process.cpuUsage(u0);
console.log(JSON.stringify({ ips: (S * B / ms) * 1000, msPerStep: ms / S, waitedPerStep: (waited() - w0) / S, cpuMsPerImage: (u.user + u.system) / 1000 / (S * B) }));
close();
sn.shutdown();
