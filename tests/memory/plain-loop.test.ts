// docs/memory.md: the plain training loop (no tidy, no dispose) keeps wasm memory
// and live tensor bytes flat, for the zoo's models and a user-written module.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { fixedBatch, memoryAt, plainLoop, TinyNet, type Model } from './loop-helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const vgg11bnFeatures = () => new sn.nn.Sequential(
  sn.models.vggFeatures([64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'], true),
  new sn.nn.Flatten(1), new sn.nn.Linear(512, 10));

const cases: [string, () => Model, number[], number, number][] = [
  ['LeNet-5', () => sn.models.lenet5({ seed: 1 }), [4, 1, 32, 32], 20, 220],
  ['a user-written module calling sn.F', () => new TinyNet(), [4, 1, 8, 8], 20, 220],
  ['ResNet-18 (32x32, batch 2)', () => sn.models.resnet18({ numClasses: 10, seed: 1 }), [2, 3, 32, 32], 5, 25],
  ['GoogLeNet (32x32, batch 2)', () => sn.models.googlenet({ numClasses: 10, seed: 1 }) as unknown as Model, [2, 3, 32, 32], 5, 25],
  ['VGG-11-BN features + a linear head (32x32, batch 2)', vgg11bnFeatures, [2, 3, 32, 32], 5, 25],
];

describe('the plain training loop keeps memory flat', () => {
  for (const [name, make, shape, a, b] of cases) {
    it(`${name}: memoryBytes and liveBytes equal at steps ${a} and ${b}`, () => {
      const model = make();
      const { x, y } = fixedBatch(shape, 10, 3);
      const [atA, atB] = memoryAt(a, b, (probe) => plainLoop(model, x, y, b, (step) => probe(step)));
      expect(atB).toEqual(atA);
    });
  }
});
