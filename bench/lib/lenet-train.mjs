// LeNet-5 training throughput (images/s): one SGD step (zero grads, forward,
// cross-entropy, backward, update, read the loss) on a [64,1,32,32] batch, the
// demo's step. Runs wherever it is imported (Node, a page, a worker) against
// the `sn` it is given, so bench/browser.mjs times the same code everywhere.
import { medianMs, seededArray } from './timing.mjs';

export async function lenetImagesPerSec(sn, { threads, simd = 'baseline', batch = 64, sampleMs = 150, samples = 7 }) {
  await sn.init({ threads, simd });
  const info = sn.backendInfo();
  const model = sn.models.lenet5({ seed: 1 });
  const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = seededArray(batch * 1024, 3);
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const ms = await medianMs(() => sn.tidy(() => {
    opt.zeroGrad();
    const loss = sn.F.crossEntropy(model.forward(sn.tensor(x, [batch, 1, 32, 32])), y);
    loss.backward();
    opt.step();
    return loss.item();
  }), { warmupMs: 300, sampleMs, samples });
  sn.shutdown();
  return { threads: info.threads, simd: info.simd, imagesPerSec: (batch * 1000) / ms };
}
