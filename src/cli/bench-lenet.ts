import * as sn from '../index.js';
import { DataLoader } from '../data/dataloader.js';
import { loadEmbeddedDigits } from '../data/node/index.js';
import { fitPreprocess, trainTransform } from './preprocess.js';
import type { Io } from './progress.js';

/**
 * LeNet-5 training steps (forward, backward, SGD momentum update) on the
 * embedded digits, batch 64, for about `seconds`: a warm-up, then the median
 * of five timed windows, batch preparation included.
 */
export async function benchLenet(io: Io, seconds: number): Promise<void> {
  const { train } = loadEmbeddedDigits();
  const prep = fitPreprocess('lenet5', [1, 32, 32], [1, 28, 28], 'digits');
  const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 1, transform: trainTransform(prep, false), dropLast: true });
  const model = sn.models.lenet5({ numClasses: 10, seed: 1 });
  const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  let epoch = 0, b = 0;
  const step = () => {
    if (b === loader.length) { b = 0; epoch++; }
    const batch = loader.batch(epoch, b++);
    sn.tidy(() => {
      const loss = sn.F.crossEntropy(model.forward(batch.x) as sn.Tensor, batch.y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    batch.dispose();
  };
  const window = Math.max(0.2, seconds / 6) * 1000;
  const rates: number[] = [];
  for (let w = 0; w < 6; w++) {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < window) { step(); n += 64; }
    if (w > 0) rates.push((n / (performance.now() - t0)) * 1000); // window 0 is the warm-up
    await new Promise(setImmediate);
  }
  rates.sort((a, c) => a - c);
  const info = sn.backendInfo();
  io.out.write(`LeNet-5 training: ${Math.round(rates[2])} images/s (median of 5 windows; ${info.threads} thread(s), ${info.simd} SIMD)\n`);
  model.dispose();
}
