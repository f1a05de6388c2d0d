// Winograd F(2x2,3x3) beside F(4x4,3x3) on the zoo's 3x3 stride-1 layers, one
// thread: median ms and effective GFLOP/s (2·direct multiply-adds / time) of
// inference (no-grad forward, transformed filters kept across calls), the
// training forward pass (filters transformed each call), the data gradient
// and the filter gradient per tile (forced), and the tile the cost model
// (src/ops/conv2d/winograd-tile.ts) picks (its forward model is the training
// forward's).
//
//   npm run build && BENCH_CLOCK=cpu node bench/run.mjs winograd     (--quick: ResNet-18 only)
import * as sn from '../dist/index.js';
import { cpus } from 'node:os';
import { clock, macs, timePass } from './lib/winograd.mjs';

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
const LAYERS = quick ? RESNET : [...RESNET, ...VGG];

await sn.init({ threads: 1 });
console.log(`Winograd tiles, 1 thread, ${clock}, ${cpus()[0].model}; GFLOP/s = 2·direct MACs / time`);
console.log('layer | pass | F2 ms (GFLOP/s) | F4 ms (GFLOP/s) | F4/F2 speed | model picks');
for (const L of LAYERS) {
  for (const pass of ['inference', 'forward', 'data', 'filter']) {
    const t2 = timePass(L, 2, pass), t4 = timePass(L, 4, pass);
    const gf = (ms) => (2 * macs(L) / ms / 1e6).toFixed(0);
    const shape = { N: L.N, Cin: L.C, Cout: L.OC, OH: L.H, OW: L.H };
    const kind = pass === 'filter' ? 'filter' : 'forward';
    const pick = `F${sn._internal.chooseWinogradTile(shape, kind)}`;
    console.log(`${L.name} | ${pass} | ${t2.toFixed(2)} (${gf(t2)}) | ${t4.toFixed(2)} (${gf(t4)}) | ${(t2 / t4).toFixed(2)}x | ${pick}`);
  }
}
sn.shutdown();
