// One training step of a zoo model (forward + cross-entropy + backward + SGD
// momentum 0.9) on random 224x224 inputs, timed the same way for every bench
// that sets it beside PyTorch's `torch_models.py train` (bench/models.mjs,
// bench/train-vs-torch.mjs): 2 warm-up steps, then `runs` timed steps, median.
import { cpuTimed, median, wholeCallSamples } from './timing.mjs';

/** Median ms of one training step per model name, at the threads `sn` was initialised with. */
export async function trainingStepMs(sn, names, { batch = 8, runs = 5 } = {}) {
  const out = {};
  for (const name of names) {
    const m = sn.models[name]({ seed: 1 });
    m.train();
    const opt = new sn.optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = sn.keep(sn.randn([batch, 3, 224, 224], { seed: 2 }));
    const y = Int32Array.from({ length: batch }, (_, i) => (i * 131) % 1000);
    const step = cpuTimed(() => sn.tidy(() => {
      opt.zeroGrad();
      sn.F.crossEntropy(m.forward(x), y).backward();
      opt.step();
    }));
    out[name] = median(await wholeCallSamples(step, { warmup: 2, minRuns: runs, maxRuns: runs }));
    x.dispose();
    m.dispose();
  }
  return out;
}
