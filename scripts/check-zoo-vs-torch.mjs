// Loads whole torchvision state_dicts (written by scripts/fixtures/zoo_full.py into .bench/)
// into the zoo with loadStateDict and compares eval outputs with PyTorch's:
//   /usr/bin/python3 scripts/fixtures/zoo_full.py && npm run build && node scripts/check-zoo-vs-torch.mjs
import * as sn from '../dist/index.js';
import { readFileSync } from 'node:fs';

await sn.init();
const builders = {
  resnet18: () => sn.models.resnet18(),
  resnet50: () => sn.models.resnet50(),
  googlenet: () => sn.models.googlenet({ transformInput: true }),
  vgg11_bn: () => sn.models.vgg11({ batchNorm: true }),
  alexnet: () => sn.models.alexnet(),
};
let worst = 0;
for (const [name, build] of Object.entries(builders)) {
  const { __x: x, __y: y, ...sd } = sn.io.loadSafetensors(readFileSync(new URL(`../.bench/full_${name}.safetensors`, import.meta.url)));
  const m = build();
  m.loadStateDict(sd);
  m.eval();
  const out = sn.noGrad(() => m.forward(x)).toFloat32Array();
  const ref = y.toFloat32Array();
  let diff = 0, scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(out[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  worst = Math.max(worst, diff / scale);
  console.log(`${name.padEnd(10)} max|ours − PyTorch| / max|PyTorch| = ${(diff / scale).toExponential(2)}`);
  m.dispose();
}
sn.shutdown();
process.exit(worst <= 1e-4 ? 0 : 1);
