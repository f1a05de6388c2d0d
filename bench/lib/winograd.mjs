// Shared by bench/winograd.mjs and bench/winograd-calibrate.mjs: one 3x3
// stride-1 pad-1 layer timed per Winograd tile (forced through simdnn's
// internal switch) and per pass, with the process CPU clock under
// BENCH_CLOCK=cpu (the machine is shared), else the wall clock.
import * as sn from '../../dist/index.js';
import { median } from './timing.mjs';

const cpu = process.env.BENCH_CLOCK === 'cpu';
const now = cpu ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
export const clock = cpu ? 'process CPU time' : 'wall clock';

const data = (n, seed) => Float32Array.from({ length: n }, (_, i) => (((i + seed) * 7919) % 2001) / 1000 - 1);

/** Direct-convolution multiply-adds of the layer {N, C, OC, H} (3x3, pad 1, so OH = H). */
export const macs = (L) => L.N * L.C * L.OC * 9 * L.H * L.H;

/**
 * Median ms of one pass of layer L with the Winograd tile forced: 'inference'
 * (under noGrad: the transformed filters are kept from the warm-up calls,
 * src/ops/conv2d/weight-cache.ts), 'forward' (recording a gradient for w, so
 * the filters are transformed every call, as in training and in the data
 * gradient; what the cost model is calibrated on), 'data' or 'filter'. At
 * least `runs` samples after 2 warm-up calls, more while under budgetMs.
 * Only the pass itself is timed.
 */
export function timePass(L, tile, pass, { runs = 5, budgetMs = 600 } = {}) {
  sn._internal.forceWinogradTile(tile);
  const x = sn.tensor(data(L.N * L.C * L.H * L.H, 1), [L.N, L.C, L.H, L.H]);
  const w = sn.tensor(data(L.OC * L.C * 9, 2).map((v) => v * 0.05), [L.OC, L.C, 3, 3]);
  const gy = sn.tensor(data(L.N * L.OC * L.H * L.H, 4), [L.N, L.OC, L.H, L.H]);
  const once = () => {
    if (pass === 'inference') {
      const t0 = now();
      sn.noGrad(() => sn.F.conv2d(x, w, null, { padding: 1 })).dispose();
      return now() - t0;
    }
    if (pass === 'forward') {
      w.requiresGrad = true;
      const t0 = now();
      const y = sn.F.conv2d(x, w, null, { padding: 1 });
      const ms = now() - t0;
      y.dispose();
      w.requiresGrad = false;
      return ms;
    }
    const leaf = pass === 'data' ? x : w;
    leaf.requiresGrad = true;
    const y = sn.F.conv2d(x, w, null, { padding: 1 });
    const t0 = now();
    y.backward(gy);
    const ms = now() - t0;
    y.dispose();
    leaf.grad?.dispose();
    leaf.grad = null;
    leaf.requiresGrad = false;
    return ms;
  };
  try {
    once();
    once();
    const ts = [];
    const start = performance.now();
    while (ts.length < runs || (performance.now() - start < budgetMs && ts.length < 50)) ts.push(once());
    return median(ts);
  } finally {
    sn._internal.forceWinogradTile(null);
    x.dispose();
    w.dispose();
    gy.dispose();
  }
}
