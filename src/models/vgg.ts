import { check } from '../errors.js';
import { checkOptions, constant_, initRng, kaimingNormal_, normal_, withInitRng } from '../nn/init.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { Dropout, Flatten, ReLU } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/norm.js';
import { Module, Sequential } from '../nn/module.js';
import type { Tensor } from '../tensor.js';

type Cfg = (number | 'M')[];
/** Simonyan & Zisserman's configurations A, B, D, E: filters per 3x3 conv, 'M' = 2x2 max pool. */
const CFGS: Record<string, Cfg> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** VGG as torchvision builds it: `features` (3x3 convs, optional batch norm), `avgpool` (7x7), `classifier`. */
export class VGG extends Module {
  static override readonly typeName: string = 'VGG';
  static override readonly _keepsNoActivations: boolean = true;
  features: Sequential;
  avgpool = new AdaptiveAvgPool2d(7);
  flatten = new Flatten(1);
  classifier: Sequential;

  constructor(cfg: Cfg, numClasses: number, batchNorm: boolean) {
    super();
    this.features = this.registerModule('features', vggFeatures(cfg, batchNorm));
    this.registerModule('avgpool', this.avgpool);
    this.registerModule('flatten', this.flatten);
    this.classifier = this.registerModule('classifier', new Sequential(
      new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(0.5),
      new Linear(4096, 4096), new ReLU(), new Dropout(0.5),
      new Linear(4096, numClasses),
    ));
    // torchvision's VGG init: kaiming_normal_(fan_out) convs, zero biases, N(0, 0.01) linears (all of them: see withInitRng's defer).
    const rng = initRng();
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, 'fanOut', rng);
        if (m.bias) constant_(m.bias, 0);
      } else if (m instanceof Linear) {
        normal_(m.weight, 0, 0.01, rng);
        if (m.bias) constant_(m.bias, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.flatten.forward(this.avgpool.forward(this.features.forward(x))));
  }
}

/** The convolutional stack of a VGG configuration (torchvision's make_layers). */
export function vggFeatures(cfg: Cfg, batchNorm: boolean, inChannels = 3): Sequential {
  const layers = [];
  let c = inChannels;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      layers.push(new Conv2d(c, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new BatchNorm2d(v));
      layers.push(new ReLU());
      c = v;
    }
  }
  return new Sequential(...layers);
}

type VggOptions = { numClasses?: number; batchNorm?: boolean; seed?: number };

function build(name: string, opts: VggOptions): VGG {
  checkOptions(name, opts, ['numClasses', 'batchNorm', 'seed']);
  const n = opts.numClasses ?? 1000;
  check(Number.isInteger(n) && n > 0, name, `numClasses must be a positive integer, got ${String(n)}`);
  return withInitRng(opts.seed, () => new VGG(CFGS[name], n, !!opts.batchNorm), { defer: true });
}

export const vgg11 = (opts: VggOptions = {}) => build('vgg11', opts);
export const vgg13 = (opts: VggOptions = {}) => build('vgg13', opts);
/** VGG-16: 138,357,544 parameters (138,344,128 weights without biases). */
export const vgg16 = (opts: VggOptions = {}) => build('vgg16', opts);
export const vgg19 = (opts: VggOptions = {}) => build('vgg19', opts);
