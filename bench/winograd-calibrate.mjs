// Measures the constants of the Winograd tile chooser's cost model
// (src/ops/conv2d/winograd-tile.ts) and writes them to
// src/ops/conv2d/winograd-calibration.ts:
//
//   npm run build && BENCH_CLOCK=cpu node bench/run.mjs winograd-calibrate
//
// Per tile (forward: 2, 4, 6, also used for the data gradient, which is a
// forward conv; filter: 2, 4, as F(6x6) has none), one thread, the median time of each calibration
// layer is fitted, with relative residuals and non-negative coefficients, to
//   t = tiles·Cin·inNs + tiles·Cout·outNs + tiles·ξ·Cin·Cout·macNs + ξ·Cin·Cout·(filterNs + bands·bandNs)
// (src/ops/conv2d/winograd-tile.ts, winogradCost, explains the terms).
// The chooser then compares the tiles' predictions per layer and pass. The
// tiles of a layer and pass are timed call by call in turn (F2, F4, F6, F2, …;
// bench/lib/winograd.mjs, timeAlternating), so that a shared machine's load
// hits them alike: timed one after the other in blocks, small layers measured
// F(6x6) faster than F(4x4) in one run and slower in the next.
import * as sn from '../dist/index.js';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { clock, timeAlternating } from './lib/winograd.mjs';

// ResNet / VGG 3x3 layers at batch 1 and 8, and thin or odd ones
const LAYERS = [
  { N: 1, C: 64, OC: 64, H: 56 }, { N: 1, C: 128, OC: 128, H: 28 }, { N: 1, C: 256, OC: 256, H: 14 },
  { N: 1, C: 512, OC: 512, H: 7 }, { N: 8, C: 512, OC: 512, H: 7 }, { N: 8, C: 256, OC: 256, H: 14 },
  { N: 1, C: 64, OC: 64, H: 112 }, { N: 1, C: 256, OC: 256, H: 28 }, { N: 1, C: 512, OC: 512, H: 14 },
  { N: 4, C: 16, OC: 16, H: 32 }, { N: 2, C: 32, OC: 32, H: 28 }, { N: 1, C: 16, OC: 64, H: 56 },
  { N: 1, C: 96, OC: 40, H: 30 }, { N: 8, C: 64, OC: 64, H: 56 }, { N: 8, C: 16, OC: 32, H: 28 },
  { N: 1, C: 64, OC: 64, H: 224 },
];

function features(L, tile, pass) {
  // the data gradient is not calibrated separately; forward and filter see the layer as is
  const s = { N: L.N, Cin: L.C, Cout: L.OC, OH: L.H, OW: L.H };
  const [tiles, filters, bands] = sn._internal.winogradCostFeatures(s, tile);
  return [tiles * L.C, tiles * L.OC, tiles * filters, filters, filters * bands];
}
const K = 5;

/** Least squares of rows·c ≈ t with relative residuals, over the subset `on` of coefficients. */
function solve(rows, t, on) {
  const k = on.length;
  const A = Array.from({ length: k }, () => new Array(k + 1).fill(0));
  rows.forEach((r, n) => {
    const wr = 1 / t[n]; // relative error: every layer counts alike
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) A[i][j] += r[on[i]] * r[on[j]] * wr * wr;
      A[i][k] += r[on[i]] * t[n] * wr * wr;
    }
  });
  for (let i = 0; i < k; i++) { // Gaussian elimination with partial pivoting
    let p = i;
    for (let j = i + 1; j < k; j++) if (Math.abs(A[j][i]) > Math.abs(A[p][i])) p = j;
    [A[i], A[p]] = [A[p], A[i]];
    for (let j = 0; j < k; j++) {
      if (j === i || A[i][i] === 0) continue;
      const f = A[j][i] / A[i][i];
      for (let c = i; c <= k; c++) A[j][c] -= f * A[i][c];
    }
  }
  const c = new Array(K).fill(0);
  on.forEach((v, i) => { c[v] = A[i][k] / A[i][i]; });
  return c;
}

/** Non-negative fit: the best of the least-squares solutions over subsets whose coefficients are all >= 0. */
function fit(rows, t) {
  let best = null;
  for (let mask = 1; mask < 1 << K; mask++) {
    const on = [...Array(K).keys()].filter((i) => mask & (1 << i));
    const c = solve(rows, t, on);
    if (c.some((v) => !(v >= 0))) continue;
    const err = rows.reduce((s, r, n) => s + ((r.reduce((a, v, i) => a + v * c[i], 0) - t[n]) / t[n]) ** 2, 0);
    if (!best || err < best.err) best = { c, err };
  }
  return best;
}

await sn.init({ threads: 1 });
console.log(`Winograd cost-model calibration, 1 thread, ${clock}, ${cpus()[0].model}`);
const table = {};
const TILES = { forward: [2, 4, 6], filter: [2, 4] };
for (const pass of ['forward', 'filter']) {
  table[pass] = {};
  const rows = {}, t = {};
  for (const tile of TILES[pass]) [rows[tile], t[tile]] = [[], []];
  for (const L of LAYERS) {
    const timed = timeAlternating(L, TILES[pass], pass);
    TILES[pass].forEach((tile, i) => {
      rows[tile].push(features(L, tile, pass));
      t[tile].push(timed[i].ms * 1e6);
      console.log(`${pass} F${tile} N${L.N} ${L.C}->${L.OC} ${L.H}²: ${timed[i].ms.toFixed(2)} ms`);
    });
  }
  for (const tile of TILES[pass]) {
    const { c, err } = fit(rows[tile], t[tile]);
    table[pass][tile] = { inNs: c[0], outNs: c[1], macNs: c[2], filterNs: c[3], bandNs: c[4] };
    console.log(`  fit ${pass} F${tile}: ${JSON.stringify(table[pass][tile])} rms relative residual ${Math.sqrt(err / t[tile].length).toFixed(3)}`);
  }
}
sn.shutdown();

const fmt = (c) => `{ inNs: ${c.inNs.toPrecision(4)}, outNs: ${c.outNs.toPrecision(4)}, macNs: ${c.macNs.toPrecision(4)}, filterNs: ${c.filterNs.toPrecision(4)}, bandNs: ${c.bandNs.toPrecision(4)} }`;
const out = `// Generated by bench/winograd-calibrate.mjs (do not edit by hand):
//   npm run build && BENCH_CLOCK=cpu node bench/run.mjs winograd-calibrate
// on ${cpus()[0].model}, 1 thread, ${clock}, ${new Date().toISOString().slice(0, 10)}.
// The constants of the Winograd tile chooser's cost model (winograd-tile.ts),
// in ns: per tile and input channel (input transform), per tile and output channel
// (output / dy transform), per GEMM multiply-add, per transformed filter value
// (filter transform), per transformed filter value and band (packing U / adding into S).

export interface WinogradCost { inNs: number; outNs: number; macNs: number; filterNs: number; bandNs: number }

export const WINOGRAD_COST: { forward: Record<2 | 4 | 6, WinogradCost>; filter: Record<2 | 4, WinogradCost> } = {
  forward: {
    2: ${fmt(table.forward[2])},
    4: ${fmt(table.forward[4])},
    6: ${fmt(table.forward[6])},
  },
  filter: {
    2: ${fmt(table.filter[2])},
    4: ${fmt(table.filter[4])},
  },
};
`;
writeFileSync(fileURLToPath(new URL('../src/ops/conv2d/winograd-calibration.ts', import.meta.url)), out);
console.log('wrote src/ops/conv2d/winograd-calibration.ts (rebuild to use it)');
