// A user's own script, written as a PyTorch user writes it, run against the
// packed package (tests/user/packed-package.test.ts installs it in an empty
// project). Prints one JSON line with what the test checks.
import * as sn from 'simdnn';

await sn.init({ threads: 2 });
sn.manualSeed(0);

class Net extends sn.nn.Module {
  constructor() {
    super();
    this.conv1 = new sn.nn.Conv2d(1, 8, 3, { padding: 1 });
    this.bn1 = new sn.nn.BatchNorm2d(8);
    this.fc = new sn.nn.Linear(8 * 8 * 8, 10);
  }
  forward(x) {
    let h = sn.F.relu(this.bn1.forward(this.conv1.forward(x)));
    h = sn.F.maxPool2d(h, { kernelSize: 2 });
    return this.fc.forward(h.flatten(1));
  }
}

const model = new Net();
const opt = new sn.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const x = sn.randn([16, 1, 16, 16]);
const y = sn.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 10), [16], { dtype: 'int32' });

const seen = {};
let firstLoss = 0, lastLoss = 0, accuracy = 0;
for (let step = 1; step <= 220; step++) {
  opt.zeroGrad();
  const out = model.forward(x);
  // A custom loss: cross entropy plus an L2 penalty on the head, written with tensor arithmetic.
  const loss = sn.F.crossEntropy(out, y).add(model.fc.weight.square().sum().mul(1e-4));
  loss.backward();
  sn.nn.utils.clipGradNorm_(model.parameters(), 5);
  opt.step();
  accuracy = sn.metrics.accuracy(out, y); // out and loss are still valid after step()
  lastLoss = loss.item();
  if (step === 1) firstLoss = lastLoss;
  if (step === 20 || step === 220) seen[step] = sn.backendInfo();
}

model.eval();
const probs = sn.noGrad(() => sn.F.softmax(model.forward(x), 1));
const top = probs.argmax(1).toInt32Array();

console.log(JSON.stringify({
  names: model.namedParameters().map(([n]) => n),
  stateKeys: Object.keys(model.stateDict()),
  firstLoss, lastLoss, accuracy,
  memory20: seen[20].memoryBytes, memory220: seen[220].memoryBytes,
  live20: seen[20].liveBytes, live220: seen[220].liveBytes,
  top: Array.from(top),
}));
sn.shutdown();
