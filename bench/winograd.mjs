// Winograd F(2x2,3x3), F(4x4,3x3) and F(6x6,3x3) side by side on the zoo's 3x3
// stride-1 layers, one thread: median ms and effective GFLOP/s (2·direct
// multiply-adds / time) of inference (no-grad forward, transformed filters
// kept across calls), the training forward pass (filters transformed each
// call), the data gradient and the filter gradient per tile (forced; F(6x6)
// has no filter gradient, so none is timed for it), each tile's speed over
// F(2x2)'s, and the tile the cost model (src/ops/conv2d/winograd-tile.ts, with
// its accuracy caps; its forward model is the training forward's) picks. The
// tiles of a layer and pass are timed back to back in the same run.
// With --ab: only F(4x4) against F(6x6), inference, forward and data passes,
// timed call by call in turn (bench/lib/winograd.mjs, timeAlternating), with
// the median of the per-round speed ratio, which load drifting over seconds
// moves less.
//
//   npm run build && BENCH_CLOCK=cpu node bench/run.mjs winograd     (--quick: ResNet-18 only; --ab)
import * as sn from '../dist/index.js';
import { cpus } from 'node:os';
import { clock, macs, timeAlternating, timePass } from './lib/winograd.mjs';

const quick = process.argv.includes('--quick');
const RESNET = [
  { name: 'ResNet-18 conv2 56² 64', N: 1, C: 64, OC: 64, H: 56 },
  { name: 'ResNet-18 conv3 28² 128', N: 1, C: 128, OC: 128, H: 28 },
  { name: 'ResNet-18 conv4 14² 256', N: 1, C: 256, OC: 256, H: 14 },
  { name: 'ResNet-18 conv5 7² 512', N: 1, C: 512, OC: 512, H: 7 },
  { name: 'ResNet-18 conv2 56² 64 b8', N: 8, C: 64, OC: 64, H: 56 },
  { name: 'ResNet-18 conv4 14² 256 b8', N: 8, C: 256, OC: 256, H: 14 },
  { name: 'ResNet-18 conv5 7² 512 b8', N: 8, C: 512, OC: 512, H: 7 },
];
const VGG = [
  { name: 'VGG-16 conv1_2 224² 64', N: 1, C: 64, OC: 64, H: 224 },
  { name: 'VGG-16 conv2_2 112² 128', N: 1, C: 128, OC: 128, H: 112 },
  { name: 'VGG-16 conv3_x 56² 256', N: 1, C: 256, OC: 256, H: 56 },
  { name: 'VGG-16 conv4_x 28² 512', N: 1, C: 512, OC: 512, H: 28 },
  { name: 'VGG-16 conv5_x 14² 512', N: 1, C: 512, OC: 512, H: 14 },
];
const GOOGLENET = [
  { name: 'GoogLeNet 3a 28² 16→32', N: 1, C: 16, OC: 32, H: 28 },
  { name: 'GoogLeNet 3a 28² 96→128', N: 1, C: 96, OC: 128, H: 28 },
  { name: 'GoogLeNet 3a 28² 16→32 b8', N: 8, C: 16, OC: 32, H: 28 },
  { name: 'GoogLeNet 3b 28² 32→96 b8', N: 8, C: 32, OC: 96, H: 28 },
];
const LAYERS = quick ? RESNET : [...RESNET, ...VGG, ...GOOGLENET];

/** The model's tile for one pass of L (the data gradient is a forward conv from OC to C channels). */
function pick(L, pass) {
  const shape = pass === 'data' ? { N: L.N, Cin: L.OC, Cout: L.C, OH: L.H, OW: L.H } : { N: L.N, Cin: L.C, Cout: L.OC, OH: L.H, OW: L.H };
  return `F${sn._internal.chooseWinogradTile(shape, pass === 'filter' ? 'filter' : 'forward')}`;
}

await sn.init({ threads: 1 });
if (process.argv.includes('--ab')) {
  console.log(`Winograd F4 against F6, alternating calls, 1 thread, ${clock}, ${cpus()[0].model}`);
  console.log('layer | pass | F4 ms | F6 ms | F6/F4 speed (median per round) | model picks');
  for (const L of LAYERS) {
    for (const pass of ['inference', 'forward', 'data']) {
      const [a, b] = timeAlternating(L, [4, 6], pass);
      console.log(`${L.name} | ${pass} | ${a.ms.toFixed(2)} | ${b.ms.toFixed(2)} | ${(1 / b.ratio).toFixed(2)}x | ${pick(L, pass)}`);
    }
  }
  sn.shutdown();
  process.exit(0);
}
console.log(`Winograd tiles, 1 thread, ${clock}, ${cpus()[0].model}; GFLOP/s = 2·direct MACs / time`);
console.log('layer | pass | F2 ms (GFLOP/s) | F4 ms (GFLOP/s) | F6 ms (GFLOP/s) | F4/F2 speed | F6/F2 speed | model picks');
for (const L of LAYERS) {
  for (const pass of ['inference', 'forward', 'data', 'filter']) {
    const t2 = timePass(L, 2, pass), t4 = timePass(L, 4, pass);
    const t6 = pass === 'filter' ? NaN : timePass(L, 6, pass);
    const cell = (ms) => (Number.isNaN(ms) ? '—' : `${ms.toFixed(2)} (${(2 * macs(L) / ms / 1e6).toFixed(0)})`);
    const speed = (ms) => (Number.isNaN(ms) ? '—' : `${(t2 / ms).toFixed(2)}x`);
    console.log(`${L.name} | ${pass} | ${cell(t2)} | ${cell(t4)} | ${cell(t6)} | ${speed(t4)} | ${speed(t6)} | ${pick(L, pass)}`);
  }
}
sn.shutdown();
