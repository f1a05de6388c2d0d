// LeNet-5 training step throughput (images/s) at batch 64, for quick A/B runs
// while optimising: node bench/lib/lenet-step.mjs [threads] [seconds]
// Prints wall and CPU-time images/s (CPU time is only meaningful at 1 thread).
const sn = await import(process.env.SIMDNN_DIST ? new URL(`../../${process.env.SIMDNN_DIST}/index.js`, import.meta.url).href : '../../dist/index.js');
const threads = Number(process.argv[2] ?? 1);
const seconds = Number(process.argv[3] ?? 3);
await sn.init({ threads });
const B = 64;
const model = sn.models.lenet5({ seed: 1 });
const opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const xs = [];
let s = 12345;
for (let b = 0; b < 8; b++) {
  const a = new Float32Array(B * 1024);
  for (let i = 0; i < a.length; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 2 ** 32) * 2 - 0.5; }
  xs.push(sn.keep(sn.tensor(a, [B, 1, 32, 32])));
}
const y = Int32Array.from({ length: B }, (_, i) => i % 10);
let it = 0;
const step = () => sn.tidy(() => {
  opt.zeroGrad();
  const loss = sn.F.crossEntropy(model.forward(xs[it++ % 8]), y);
  loss.backward();
  opt.step();
  return loss.item();
});
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now();
while (performance.now() - t0 < 500) step();
const win = (seconds * 1000) / 7;
const wall = [], cpus = [];
for (let w = 0; w < 7; w++) {
  const a = performance.now(), c = cpu();
  let n = 0;
  do { step(); n++; } while (performance.now() - a < win);
  wall.push((n * B * 1000) / (performance.now() - a));
  cpus.push((n * B * 1000) / (cpu() - c));
}
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`threads=${threads} images/s wall ${Math.round(med(wall))}  per-CPU-s ${Math.round(med(cpus))}  (windows ${wall.map(Math.round).join(' ')})`);
sn.shutdown();
