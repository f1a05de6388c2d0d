// The demo's Web Worker: all of simdnn runs here, so the page stays responsive
// while LeNet-5 trains (and the pool's caller may block in Atomics.wait, which
// a page's main thread may not). The page talks to it with protocol.ts's messages.
import * as sn from '../../src/index.js';
import { decodeDigits } from './digits-file.js';
import { MNIST_MEAN, MNIST_STD } from './preprocess.js';
import { ZOO } from './zoo.js';
import type { FromWorker, ToWorker } from './protocol.js';

const BATCH = 64;
const REPORT_MS = 250; // train this long between progress messages (and message handling)
const EVAL_EVERY = 100; // steps between evaluations on the held-out digits
/** Each Train (or Resume) runs this many epochs (default 10; the page's ?epochs=N), then stops by itself (the loss on the 8,000 digits is near 0 by then). */
let epochsPerRun = 10;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let model: sn.nn.Module | null = null;
let opt: sn.optim.SGD | null = null;
let loader: sn.data.DataLoader | null = null;
let test: sn.data.ImageArrayDataset | null = null;
let step = 0;
let running = false;

/** MNIST preprocessing for LeNet-5: pad 28 -> 32, normalise with MNIST's mean/std. */
const toLenet: sn.data.Transform = (img) => sn.data.normalize(sn.data.pad(img, 2), MNIST_MEAN, MNIST_STD);

async function init(m: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  await sn.init({ threads: m.threads, simd: m.simd });
  if (m.epochs !== undefined) epochsPerRun = m.epochs;
  const info = sn.backendInfo();
  let trainSize = 0, testSize = 0;
  if (m.digitsUrl !== null) {
    const res = await fetch(m.digitsUrl);
    if (!res.ok) throw new Error(`${m.digitsUrl}: HTTP ${res.status}`);
    const { train, test: held } = sn.data.digitsDatasets(decodeDigits(new Uint8Array(await res.arrayBuffer())));
    loader = new sn.data.DataLoader(train, { batchSize: BATCH, shuffle: true, seed: 1, dropLast: true, transform: toLenet });
    test = held;
    trainSize = train.length;
    testSize = held.length;
    model = sn.models.lenet5({ seed: 1 });
    opt = new sn.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  }
  post({
    type: 'ready',
    trainSize,
    testSize,
    backend: { threads: info.threads, simd: info.simd, sharedMemory: info.sharedMemory, crossOriginIsolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency },
  });
}

function argmaxHits(logits: Float32Array, labels: Int32Array, classes: number): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === labels[i]) hits++;
  }
  return hits;
}

/** One SGD step on the next batch; returns [loss, correct predictions]. */
function trainStep(): [number, number] {
  const perEpoch = loader!.length;
  const batch = loader!.batch(Math.floor(step / perEpoch), step % perEpoch);
  const r = sn.tidy((): [number, number] => {
    opt!.zeroGrad();
    const logits = model!.forward(batch.x);
    const loss = sn.F.crossEntropy(logits, batch.y);
    loss.backward();
    opt!.step();
    return [loss.item(), argmaxHits(logits.toFloat32Array(), batch.y, 10)];
  });
  batch.dispose();
  step++;
  return r;
}

/** Rows: true digit, columns: predicted, over the held-out digits of the last evaluation. */
let confusion: number[][] = [];

function testAccuracy(): number {
  const evalLoader = new sn.data.DataLoader(test!, { batchSize: 500, transform: toLenet });
  let hits = 0;
  confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  model!.eval();
  for (const batch of evalLoader) {
    const logits = sn.tidy(() => sn.noGrad(() => model!.forward(batch.x).toFloat32Array()));
    hits += argmaxHits(logits, batch.y, 10);
    for (let i = 0; i < batch.y.length; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
      confusion[batch.y[i]][best]++;
    }
  }
  model!.train();
  return hits / test!.length;
}

/** The first convolution's weights (LeNet-5's conv1: 6 filters of 5x5) and their shape. */
function firstFilters(): { data: number[]; shape: number[] } {
  const conv = model!.modules().find((m) => m instanceof sn.nn.Conv2d) as sn.nn.Conv2d;
  return { data: Array.from(conv.weight.toFloat32Array()), shape: [...conv.weight.shape] };
}

const yieldToMessages = () => new Promise((r) => setTimeout(r, 0));

async function trainLoop(): Promise<void> {
  if (running || !model) return;
  running = true;
  let lastEval = step;
  const until = step + epochsPerRun * loader!.length;
  let finished = false;
  while (running) {
    const t0 = performance.now();
    let loss = 0, hits = 0, n = 0;
    while (running && step < until && performance.now() - t0 < REPORT_MS) {
      const [l, h] = trainStep();
      loss += l;
      hits += h;
      n++;
    }
    const seconds = (performance.now() - t0) / 1000;
    let acc: number | null = null;
    if (step - lastEval >= EVAL_EVERY) {
      acc = testAccuracy();
      lastEval = step;
    }
    post({ type: 'progress', step, epoch: step / loader!.length, loss: loss / n, accuracy: hits / (n * BATCH), imagesPerSec: (n * BATCH) / seconds, testAccuracy: acc });
    if (acc !== null) post({ type: 'learned', confusion, filters: firstFilters() });
    await yieldToMessages(); // lets 'stop', 'predict', 'save' in
    if (step >= until) {
      finished = true;
      running = false;
    }
  }
  post({ type: 'progress', step, epoch: step / loader!.length, loss: NaN, accuracy: NaN, imagesPerSec: NaN, testAccuracy: testAccuracy() });
  post({ type: 'learned', confusion, filters: firstFilters() });
  post({ type: 'stopped', step, finished, epochs: epochsPerRun });
}

function predict(input: Float32Array): void {
  model!.eval();
  const probs = sn.tidy(() => sn.noGrad(() => sn.F.softmax(model!.forward(sn.tensor(input, [1, 1, 32, 32])), 1).toFloat32Array()));
  model!.train();
  post({ type: 'prediction', probs: Array.from(probs) });
}

function summary(name: string): void {
  const entry = ZOO[name];
  if (!entry) throw new Error(`unknown model '${name}'`);
  const t0 = performance.now();
  const m = entry.make();
  const s = sn.summary(m, entry.inputShape);
  for (const p of m.parameters()) p.dispose();
  post({ type: 'summary', model: name, inputShape: entry.inputShape, rows: s.rows, totals: s.totals, text: s.toString(), ms: performance.now() - t0 });
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.type !== 'init' && m.type !== 'summary' && m.type !== 'stop' && model === null) throw new Error(`'${m.type}' before the digits and model are loaded`);
    switch (m.type) {
      case 'init': await init(m); break;
      case 'train': await trainLoop(); break;
      case 'stop': running = false; break;
      case 'predict': predict(m.input); break;
      case 'save': {
        const bytes = sn.io.saveSafetensors(model!, { metadata: { model: 'lenet5', steps: String(step) } });
        post({ type: 'saved', bytes }, [bytes.buffer]);
        break;
      }
      case 'load': {
        // A file that is not LeNet-5's safetensors is the user's mistake, reported beside the Load button.
        let sd: Record<string, sn.Tensor> = {};
        try {
          sd = sn.io.loadSafetensors(new Uint8Array(m.bytes));
          model!.loadStateDict(sd);
          post({ type: 'loaded', name: m.name, tensors: Object.keys(sd).length });
        } catch (err) {
          post({ type: 'loadFailed', name: m.name, message: err instanceof Error ? err.message : String(err) });
        } finally {
          for (const t of Object.values(sd)) t.dispose();
        }
        break;
      }
      case 'summary': summary(m.model); break;
    }
  } catch (err) {
    running = false;
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
