// Prints the trajectories shown in docs/optimizers.md: w on L(w) = ½·2·w²
// (∇ = 2w) from w = 1, lr 0.1 for steps 1–5 and 0.01 from step 6, with
// simdnn's SGD({ momentum: 0.9, weightDecay: 0.0005 }) beside the AlexNet rule
// v = 0.9v − 0.0005·ε·w − ε·∇; w += v (float64).   npm run build && node scripts/momentum-forms.mjs
import * as sn from '../dist/index.js';

await sn.init();
const lr = (t) => (t < 5 ? 0.1 : 0.01);
const w = sn.tensor([1], [1], { requiresGrad: true });
const opt = new sn.optim.SGD([w], { lr: 0.1, momentum: 0.9, weightDecay: 0.0005 });
let a = 1, v = 0;
console.log('| step | lr | SGD w | SGD lr·buf | AlexNet w | AlexNet v |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (let t = 0; t < 10; t++) {
  opt.lr = lr(t);
  w.grad = sn.tensor([2 * w.item()], [1]);
  opt.step();
  const buf = opt.state.get(w).momentumBuffer.item();
  v = 0.9 * v - 0.0005 * lr(t) * a - lr(t) * 2 * a;
  a += v;
  console.log(`| ${t + 1} | ${lr(t)} | ${w.item().toFixed(6)} | ${(lr(t) * buf).toFixed(6)} | ${a.toFixed(6)} | ${v.toFixed(6)} |`);
}
sn.shutdown();
