// Run by sgd-relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd`
// (Node 20 has relaxed SIMD only behind that flag). Replays the SGD fixture
// cases with the relaxed build and prints the trajectories as JSON, plus
// whether this engine's relaxed_madd is fused (one rounding).
import { readFileSync } from 'node:fs';
import * as sn from '../../src/index.js';

const fx = JSON.parse(readFileSync(process.argv[2], 'utf8'));
await sn.init({ threads: 1, simd: 'relaxed' });

// p + (−lr)·g with p = 1 + 2⁻¹¹, lr = g = 1 + 2⁻¹²: exactly −2⁻²⁴ when fused, 0 when the product is rounded first.
const probe = sn.full([4], 1 + 2 ** -11, { requiresGrad: true });
probe.grad = sn.full([4], 1 + 2 ** -12);
new sn.optim.SGD([probe], { lr: 1 + 2 ** -12 }).step();
const fused = probe.toFloat32Array().every((v) => v === -(2 ** -24));

const cases: Record<string, number[][][]> = {};
for (const c of fx.cases.filter((x: any) => x.cls === 'SGD')) {
  const ps = fx.p0.map((d: number[], i: number) => sn.tensor(d, fx.shapes[i], { requiresGrad: true }));
  const opt = c.groups ? new sn.optim.SGD(ps.map((p: sn.Tensor, i: number) => ({ params: [p], ...c.groups[i] })), c.opts) : new sn.optim.SGD(ps, c.opts);
  const traj: number[][][] = [];
  for (let t = 0; t < 5; t++) {
    if (c.lrAt[String(t)] !== undefined) opt.lr = c.lrAt[String(t)];
    opt.zeroGrad();
    ps.forEach((p: sn.Tensor, i: number) => {
      if (t !== fx.noGrad[0] || i !== fx.noGrad[1]) p.grad = sn.tensor(fx.grads[t][i], fx.shapes[i]);
    });
    opt.step();
    traj.push(ps.map((p: sn.Tensor) => Array.from(p.toFloat32Array())));
  }
  cases[c.name] = traj;
}
sn.shutdown();
process.stdout.write(JSON.stringify({ simd: 'relaxed', fused, cases }) + '\n');
