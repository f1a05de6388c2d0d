import { check } from '../errors.js';
import { constant_, initRng, normal_, withInitRng } from '../nn/init.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { Dropout, Flatten, ReLU } from '../nn/activation.js';
import { LocalResponseNorm } from '../nn/norm.js';
import { Module, Sequential } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { zooOptions } from './options.js';

/**
 * AlexNet. `features` (convolutions), `avgpool`, `classifier` as torchvision
 * names them. Variant 'torchvision' is torchvision's single-tower model
 * (64-192-384-256-256 filters, 224x224 input); 'original' is the 2012 paper's:
 * 227x227 input, 96-256-384-384-256 filters, the two-GPU split kept as groups=2
 * in conv2/4/5, and local response normalisation (n=5, k=2, α=1e-4 per the
 * paper, i.e. PyTorch alpha=5e-4, β=0.75) after the first two ReLUs.
 */
export class AlexNet extends Module {
  static override readonly typeName: string = 'AlexNet';
  static override readonly _keepsNoActivations: boolean = true;
  features: Sequential;
  avgpool: AdaptiveAvgPool2d | null;
  flatten = new Flatten(1);
  classifier: Sequential;

  constructor(numClasses: number, variant: 'torchvision' | 'original', init: 'default' | 'paper' = 'default') {
    super();
    if (variant === 'original') {
      const lrn = () => new LocalResponseNorm(5, { alpha: 5e-4, beta: 0.75, k: 2 });
      this.features = this.registerModule('features', new Sequential(
        new Conv2d(3, 96, 11, { stride: 4 }), new ReLU(), lrn(), new MaxPool2d(3, { stride: 2 }),
        new Conv2d(96, 256, 5, { padding: 2, groups: 2 }), new ReLU(), lrn(), new MaxPool2d(3, { stride: 2 }),
        new Conv2d(256, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 384, 3, { padding: 1, groups: 2 }), new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1, groups: 2 }), new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
      ));
      this.avgpool = null; // 227x227 input gives exactly 6x6 here
    } else {
      this.features = this.registerModule('features', new Sequential(
        new Conv2d(3, 64, 11, { stride: 4, padding: 2 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
        new Conv2d(64, 192, 5, { padding: 2 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
        new Conv2d(192, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1 }), new ReLU(),
        new Conv2d(256, 256, 3, { padding: 1 }), new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
      ));
      this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(6));
    }
    this.registerModule('flatten', this.flatten);
    // The paper (section 4.2) and the lecture drop out the outputs of FC6 and FC7;
    // torchvision drops out their inputs. Names follow the order (classifier.0/3/6 vs 1/4/6).
    this.classifier = this.registerModule('classifier', variant === 'original'
      ? new Sequential(
        new Linear(256 * 6 * 6, 4096), new ReLU(), new Dropout(0.5),
        new Linear(4096, 4096), new ReLU(), new Dropout(0.5),
        new Linear(4096, numClasses))
      : new Sequential(
        new Dropout(0.5), new Linear(256 * 6 * 6, 4096), new ReLU(),
        new Dropout(0.5), new Linear(4096, 4096), new ReLU(),
        new Linear(4096, numClasses)));
    if (init === 'paper') this.paperInit();
  }

  /**
   * The paper's initialisation (section 5): every weight from N(0, 0.01²);
   * bias 1 in conv2, conv4, conv5 and the hidden fully connected layers (so the
   * ReLUs start with positive inputs), 0 in the others.
   */
  private paperInit(): void {
    const rng = initRng();
    const convs = this.features.modules().filter((m): m is Conv2d => m instanceof Conv2d);
    const fcs = this.classifier.modules().filter((m): m is Linear => m instanceof Linear);
    const ones = new Set<Conv2d | Linear>([convs[1], convs[3], convs[4], fcs[0], fcs[1]]);
    for (const m of [...convs, ...fcs]) {
      normal_(m.weight, 0, 0.01, rng);
      if (m.bias) constant_(m.bias, ones.has(m) ? 1 : 0);
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features.forward(x);
    if (this.avgpool) x = this.avgpool.forward(x);
    return this.classifier.forward(this.flatten.forward(x));
  }
}

/**
 * torchvision AlexNet: 61,100,840 parameters; 'original': 60,965,224. PyTorch's
 * default init, seeded; `init: 'paper'` the 2012 paper's (N(0, 0.01), biases 1/0).
 */
export function alexnet(opts: { numClasses?: number; variant?: 'torchvision' | 'original'; init?: 'default' | 'paper'; seed?: number } = {}): AlexNet {
  const n = zooOptions('alexnet', opts, ['variant', 'init']);
  const init = opts.init ?? 'default';
  check(init === 'default' || init === 'paper', 'alexnet', `init must be 'default' or 'paper', got '${String(init)}'`);
  const variant = opts.variant ?? 'torchvision';
  check(variant === 'torchvision' || variant === 'original', 'alexnet', `variant must be 'torchvision' or 'original', got '${String(variant)}'`);
  return withInitRng(opts.seed, () => new AlexNet(n, variant, init));
}
