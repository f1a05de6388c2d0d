// Memory of the plain PyTorch-style training loop (docs/memory.md): zeroGrad,
// forward, crossEntropy, backward, step — no tidy, no dispose — beside the same
// loop with each step wrapped in sn.tidy. LeNet-5 (batch 64, 32x32) for 1,000
// steps and ResNet-18 (batch 16, 64x64) for 100, at 1 and 2 threads: wasm
// memory at steps 10 / 100 / last, live tensor bytes at the last step, and
// images/s over the steps after the 10th (the ratio plain / tidy should be ≈ 1).
// Each configuration runs in its own process (fresh wasm memory).
// Run: npm run build && node bench/memory.mjs [lenet steps, default 1000] [resnet steps, default 100]
// ResNet-18 at 224x224, batch 16 (2 threads), plain vs tidy, with its weights' bytes:
//      node bench/memory.mjs resnet224 [steps, default 5]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const MB = (b) => (b / 2 ** 20).toFixed(1);

async function child([model, threads, mode, steps]) {
  const sn = await import('../dist/index.js');
  await sn.init({ threads: Number(threads) });
  const lenet = model === 'lenet';
  const net = lenet ? sn.models.lenet5({ seed: 1 }) : sn.models.resnet18({ numClasses: 10, seed: 1 });
  const [N, C, H] = lenet ? [64, 1, 32] : [16, 3, model === 'resnet224' ? 224 : 64];
  const data = new Float32Array(N * C * H * H);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 0.5;
  const x = sn.tensor(data, [N, C, H, H]);
  const y = Int32Array.from({ length: N }, (_, i) => i % 10);
  const opt = new sn.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const step = () => {
    opt.zeroGrad();
    const loss = sn.F.crossEntropy(net.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  };
  const last = Number(steps);
  const mem = {};
  let t10 = 0;
  for (let s = 1; s <= last; s++) {
    if (mode === 'tidy') sn.tidy(step);
    else step();
    if (s === 10) t10 = performance.now();
    if (s === 10 || s === 100 || s === last) mem[s] = sn.backendInfo();
    if (model === 'resnet224') console.error(`  ${mode} step ${s}: memory ${MB(sn.backendInfo().memoryBytes)} MB, live ${MB(sn.backendInfo().liveBytes)} MB`);
  }
  const seconds = (performance.now() - t10) / 1000;
  const info = mem[last];
  const weightBytes = net.parameters().reduce((a, p) => a + p.size * 4, 0);
  if (model === 'resnet224') {
    console.log(JSON.stringify({ memLast: info.memoryBytes, liveBytes: info.liveBytes, weightBytes }));
    sn.shutdown();
    return;
  }
  console.log(JSON.stringify({ mem10: mem[10].memoryBytes, mem100: mem[100]?.memoryBytes ?? null, memLast: info.memoryBytes, liveBytes: info.liveBytes, liveTensors: info.liveTensors, imagesPerSec: ((last - 10) * N) / seconds }));
  sn.shutdown();
}

function run(args) {
  const r = spawnSync(process.execPath, [self, 'child', ...args.map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench memory: ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

if (process.argv[2] === 'child') {
  await child(process.argv.slice(3));
} else if (process.argv[2] === 'resnet224') {
  const steps = Number(process.argv[3] ?? 5);
  for (const mode of ['tidy', 'plain']) {
    const r = run(['resnet224', 2, mode, steps]);
    console.log(`ResNet-18 b16 224x224, 2 threads, ${mode}: wasm memory after step ${steps} ${MB(r.memLast)} MB, live ${MB(r.liveBytes)} MB, weights ${MB(r.weightBytes)} MB`);
  }
} else {
  const lenetSteps = Number(process.argv[2] ?? 1000);
  const resnetSteps = Number(process.argv[3] ?? 100);
  console.log('model                       thr  loop   mem@10 MB  mem@100 MB  mem@last MB  live MB (tensors)   images/s  plain/tidy');
  for (const [model, label, steps] of [['lenet', 'LeNet-5 b64 32x32', lenetSteps], ['resnet', 'ResNet-18 b16 64x64', resnetSteps]]) {
    for (const threads of [1, 2]) {
      const tidy = run([model, threads, 'tidy', steps]);
      const plain = run([model, threads, 'plain', steps]);
      for (const [mode, r] of [['plain', plain], ['tidy', tidy]]) {
        console.log(`${`${label}, ${steps} steps`.padEnd(27)} ${String(threads).padStart(3)}  ${mode.padEnd(5)} ${MB(r.mem10).padStart(10)} ${(r.mem100 === null ? '-' : MB(r.mem100)).padStart(11)} ${MB(r.memLast).padStart(12)} ${`${MB(r.liveBytes)} (${r.liveTensors})`.padStart(18)} ${r.imagesPerSec.toFixed(0).padStart(10)}  ${mode === 'plain' ? (plain.imagesPerSec / tidy.imagesPerSec).toFixed(3).padStart(10) : ''}`);
      }
    }
  }
}
