import * as sn from '../index.js';
import { DataLoader } from '../data/dataloader.js';
import type { Dataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { type Preprocess, evalTransform } from './preprocess.js';
import { countCorrect } from '../metrics/accuracy.js';

export interface EvalResult {
  loss: number;
  accuracy: number;
  top5: number;
  count: number;
}

/** Mean cross-entropy, top-1 and top-5 accuracy of `model` over `data` (eval mode, no gradients). */
export async function evaluate(model: Module, data: Dataset, prep: Preprocess, batchSize: number, onBatch?: (done: number, total: number) => void): Promise<EvalResult> {
  const loader = new DataLoader(data, { batchSize, shuffle: false, transform: evalTransform(prep) });
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, top1 = 0, top5 = 0, count = 0, b = 0;
  try {
    for (const batch of loader.batches(0)) {
      sn.tidy(() => sn.noGrad(() => {
        const logits = model.forward(batch.x) as sn.Tensor;
        const C = logits.shape[1];
        lossSum += sn.F.crossEntropy(logits, batch.y, { reduction: 'sum' }).item();
        const [h1, h5] = countCorrect(logits.toFloat32Array(), C, batch.y, [1, 5]);
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
  return { loss: lossSum / count, accuracy: top1 / count, top5: top5 / count, count };
}
