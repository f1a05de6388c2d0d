import * as sn from '../index.js';
import { DataLoader } from '../data/dataloader.js';
import type { Dataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import type { Image } from '../data/image.js';
import { type Preprocess, evalTransform } from './preprocess.js';
import { countCorrect } from '../metrics/accuracy.js';

export interface EvalResult {
  loss: number;
  accuracy: number;
  top5: number;
  count: number;
  /** Per example (dataset order): the target, the predicted class, its cross-entropy. */
  perSample?: { target: Int32Array; pred: Int32Array; loss: Float32Array };
}

/** Each row's arg-max and −log softmax of the target (float64, max-shifted). */
function rowResults(logits: Float32Array, classes: number, targets: Int32Array, pred: Int32Array, loss: Float32Array, at: number): void {
  for (let r = 0; r < targets.length; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c] - row[best]);
    pred[at + r] = best;
    loss[at + r] = Math.log(sum) - (row[targets[r]] - row[best]);
  }
}

/** Mean cross-entropy, top-1 and top-5 accuracy of `model` over `data` (eval mode, no gradients). */
export async function evaluate(model: Module, data: Dataset, prep: Preprocess, batchSize: number, onBatch?: (done: number, total: number) => void): Promise<EvalResult> {
  const loader = new DataLoader(data, { batchSize, shuffle: false, transform: evalTransform(prep) });
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, top1 = 0, top5 = 0, count = 0, b = 0;
  const target = new Int32Array(data.length), pred = new Int32Array(data.length), losses = new Float32Array(data.length);
  try {
    for await (const batch of loader.batchesAsync(0)) { // an image folder: decoded by sharp, a batch at a time
      sn.tidy(() => sn.noGrad(() => {
        const logits = model.forward(batch.x) as sn.Tensor;
        const C = logits.shape[1];
        lossSum += sn.F.crossEntropy(logits, batch.y, { reduction: 'sum' }).item();
        const flat = logits.toFloat32Array();
        const [h1, h5] = countCorrect(flat, C, batch.y, [1, 5]);
        target.set(batch.y, count);
        rowResults(flat, C, batch.y, pred, losses, count);
        top1 += h1;
        top5 += h5;
        count += batch.size;
      }));
      onBatch?.(++b, loader.length);
      if (b % 4 === 0) await new Promise(setImmediate);
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / count, accuracy: top1 / count, top5: top5 / count, count, perSample: { target, pred, loss: losses } };
}

/**
 * Test-time averaging: each image becomes several views (AlexNet's ten
 * crops, VGG's scales); the model's softmax is averaged over them, and the
 * loss and accuracies are those of the averaged probabilities. `viewBatch`
 * views go through the model at once.
 */
export async function evaluateViews(model: Module, data: Dataset, views: (img: Image) => Image[], viewBatch: number, onBatch?: (done: number, total: number) => void): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, top1 = 0, top5 = 0, count = 0, perImage = 0;
  try {
    for (let lo = 0; lo < data.length;) {
      // The first image tells how many views each has; then as many images as fit in viewBatch.
      const n = perImage === 0 ? 1 : Math.max(1, Math.min(data.length - lo, Math.floor(viewBatch / perImage)));
      const idx = Array.from({ length: n }, (_, i) => lo + i);
      await data.prepare?.(idx);
      const samples = idx.map((i) => data.get(i));
      const all = samples.map((s) => views(s.image));
      perImage = all[0].length;
      const { channels: C, height: H, width: W } = all[0][0];
      const per = C * H * W;
      const x = new Float32Array(n * perImage * per);
      all.flat().forEach((v, k) => {
        if (v.data.length !== per) throw new sn.SimdnnError('evaluate', `views differ in size: ${v.channels}x${v.height}x${v.width} vs ${C}x${H}x${W}`);
        x.set(v.data, k * per);
      });
      const probs = sn.tidy(() => sn.noGrad(() => sn.F.softmax(model.forward(sn.tensor(x, [n * perImage, C, H, W])) as sn.Tensor, 1).toFloat32Array()));
      const K = probs.length / (n * perImage);
      const mean = new Float32Array(n * K);
      for (let i = 0; i < n; i++) {
        for (let v = 0; v < perImage; v++) for (let c = 0; c < K; c++) mean[i * K + c] += probs[(i * perImage + v) * K + c] / perImage;
      }
      const y = Int32Array.from(samples, (s) => s.label);
      for (let i = 0; i < n; i++) lossSum -= Math.log(Math.max(mean[i * K + y[i]], 1e-30));
      const [h1, h5] = countCorrect(mean, K, y, [1, 5]);
      top1 += h1;
      top5 += h5;
      count += n;
      lo += n;
      onBatch?.(count, data.length);
      await new Promise(setImmediate);
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / count, accuracy: top1 / count, top5: top5 / count, count };
}
