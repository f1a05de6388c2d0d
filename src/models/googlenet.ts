import { check } from '../errors.js';
import { checkOptions, constant_, initRng, truncNormal_, withInitRng } from '../nn/init.js';
import * as F from '../functional.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { Dropout, Flatten, ReLU } from '../nn/activation.js';
import { BatchNorm2d, LocalResponseNorm } from '../nn/norm.js';
import { Module, Sequential } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { keep } from '../scope.js';
import { tensor } from '../ops/basic.js';
import { zooOptions } from './options.js';

type Variant = 'torchvision' | 'original';

/**
 * conv → (batch norm) → ReLU, torchvision's BasicConv2d (`conv`, `bn`). The
 * torchvision variant has a bias-free conv and batch norm with eps 0.001; the
 * 2014 paper's has a conv with bias and no normalisation.
 */
export class BasicConv2d extends Module {
  static override readonly typeName: string = 'BasicConv2d';
  static override readonly _keepsNoActivations: boolean = true;
  conv: Conv2d;
  bn: BatchNorm2d | null;
  relu: ReLU;
  /** `batchNorm` defaults to true, as torchvision's BasicConv2d (the 'original' GoogLeNet passes false). */
  constructor(inC: number, outC: number, kernelSize: number, opts: { stride?: number; padding?: number; batchNorm?: boolean } = {}) {
    super();
    checkOptions('BasicConv2d', opts, ['stride', 'padding', 'batchNorm']);
    const { stride = 1, padding = 0, batchNorm = true } = opts;
    this.conv = this.registerModule('conv', new Conv2d(inC, outC, kernelSize, { stride, padding, bias: !batchNorm }));
    this.bn = batchNorm ? this.registerModule('bn', new BatchNorm2d(outC, { eps: 0.001 })) : null;
    this.relu = this.registerModule('relu', new ReLU());
  }
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.relu.forward(this.bn ? this.bn.forward(y) : y);
  }
}

/**
 * The Inception module: four branches concatenated along channels — 1x1;
 * 1x1 reduce → 3x3; 1x1 reduce → "5x5"; 3x3/1 max pool → 1x1 projection.
 * torchvision uses a 3x3 conv in the "5x5" branch (a known deviation it keeps
 * for its pretrained weights); the original paper's is 5x5 with padding 2.
 */
export class Inception extends Module {
  static override readonly typeName: string = 'Inception';
  static override readonly _keepsNoActivations: boolean = true;
  branch1: BasicConv2d; branch2: Sequential; branch3: Sequential; branch4: Sequential;
  constructor(inC: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number, variant: Variant) {
    super();
    const batchNorm = variant === 'torchvision';
    const k5 = variant === 'torchvision' ? 3 : 5;
    this.branch1 = this.registerModule('branch1', new BasicConv2d(inC, ch1x1, 1, { batchNorm }));
    this.branch2 = this.registerModule('branch2', new Sequential(
      new BasicConv2d(inC, ch3x3red, 1, { batchNorm }), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1, batchNorm })));
    this.branch3 = this.registerModule('branch3', new Sequential(
      new BasicConv2d(inC, ch5x5red, 1, { batchNorm }), new BasicConv2d(ch5x5red, ch5x5, k5, { padding: (k5 - 1) / 2, batchNorm })));
    this.branch4 = this.registerModule('branch4', new Sequential(
      new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inC, poolProj, 1, { batchNorm })));
  }
  forward(x: Tensor): Tensor {
    return F.concat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

/**
 * An auxiliary classifier on an intermediate 14x14 map. torchvision's
 * InceptionAux: adaptive average pool to 4x4, BasicConv2d 1x1 → 128 (with batch
 * norm), flatten, fc1 2048 → 1024, ReLU, dropout 0.7, fc2. The 'original'
 * variant as the 2014 paper (section 5): 5x5/3 average pool (14x14 → 4x4), 1x1
 * conv 128 with bias and ReLU, FC 1024 + ReLU, dropout 0.7, the classifier.
 * Names (conv.conv, conv.bn, fc1, fc2) as torchvision's.
 */
export class InceptionAux extends Module {
  static override readonly typeName: string = 'InceptionAux';
  static override readonly _keepsNoActivations: boolean = true;
  pool: Module;
  conv: BasicConv2d;
  flatten: Flatten;
  fc1: Linear;
  relu: ReLU;
  dropout: Dropout;
  fc2: Linear;
  constructor(inC: number, numClasses: number, variant: Variant) {
    super();
    // Assigned in forward order, so they register in it (the stateless ones too: summary lists them so).
    this.pool = variant === 'torchvision' ? new AdaptiveAvgPool2d(4) : new AvgPool2d(5, { stride: 3 });
    this.conv = new BasicConv2d(inC, 128, 1, { batchNorm: variant === 'torchvision' });
    this.flatten = new Flatten(1);
    this.fc1 = new Linear(2048, 1024);
    this.relu = new ReLU();
    this.dropout = new Dropout(0.7);
    this.fc2 = new Linear(1024, numClasses);
  }
  forward(x: Tensor): Tensor {
    const h = this.flatten.forward(this.conv.forward(this.pool.forward(x)));
    return this.fc2.forward(this.dropout.forward(this.relu.forward(this.fc1.forward(h))));
  }
}

/** What GoogLeNet with auxiliary heads returns in training mode. */
export interface GoogLeNetOutputs {
  logits: Tensor;
  aux1: Tensor;
  aux2: Tensor;
}

/** Inception v1 (with auxLogits, its two auxiliary heads); module names as torchvision's GoogLeNet. */
export class GoogLeNet extends Module {
  static override readonly typeName: string = 'GoogLeNet';
  static override readonly _keepsNoActivations: boolean = true;
  readonly variant: Variant;
  private readonly stages: Module[] = [];
  /** torchvision's transform_input as a 1x1 conv with a diagonal weight (exact: the other terms add zeros). */
  private readonly transform: { w: Tensor; b: Tensor } | null;

  /** The auxiliary heads on inception4a and 4d (auxLogits), else null. */
  readonly aux1: InceptionAux | null = null;
  readonly aux2: InceptionAux | null = null;

  constructor(numClasses: number, variant: Variant, transformInput = false, auxLogits = false) {
    super();
    this.variant = variant;
    this.transform = transformInput ? inputTransform() : null;
    const bn = variant === 'torchvision';
    const add = <M extends Module>(name: string, m: M): M => {
      this.stages.push(this.registerModule(name, m));
      return m;
    };
    const inception = (name: string, ...c: [number, number, number, number, number, number, number]) => add(name, new Inception(...c, variant));
    // Paper, Figure 3: LocalRespNorm after the first max pool and after conv3 (the 3x3), before the second pool.
    const lrn = () => new LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 1 });
    add('conv1', new BasicConv2d(3, 64, 7, { stride: 2, padding: 3, batchNorm: bn }));
    add('maxpool1', new MaxPool2d(3, { stride: 2, ceilMode: true }));
    if (!bn) add('lrn1', lrn());
    add('conv2', new BasicConv2d(64, 64, 1, { batchNorm: bn }));
    add('conv3', new BasicConv2d(64, 192, 3, { padding: 1, batchNorm: bn }));
    if (!bn) add('lrn2', lrn());
    add('maxpool2', new MaxPool2d(3, { stride: 2, ceilMode: true }));
    inception('inception3a', 192, 64, 96, 128, 16, 32, 32);
    inception('inception3b', 256, 128, 128, 192, 32, 96, 64);
    add('maxpool3', new MaxPool2d(3, { stride: 2, ceilMode: true }));
    inception('inception4a', 480, 192, 96, 208, 16, 48, 64);
    inception('inception4b', 512, 160, 112, 224, 24, 64, 64);
    inception('inception4c', 512, 128, 128, 256, 24, 64, 64);
    inception('inception4d', 512, 112, 144, 288, 32, 64, 64);
    inception('inception4e', 528, 256, 160, 320, 32, 128, 128);
    // torchvision pools 2x2 here; the paper's table says 3x3/2 (both give 7x7 in ceil mode).
    add('maxpool4', bn ? new MaxPool2d(2, { stride: 2, ceilMode: true }) : new MaxPool2d(3, { stride: 2, ceilMode: true }));
    inception('inception5a', 832, 256, 160, 320, 32, 128, 128);
    inception('inception5b', 832, 384, 192, 384, 48, 128, 128);
    if (auxLogits) {
      // torchvision registers them here (after inception5b): state_dict order follows.
      this.aux1 = this.registerModule('aux1', new InceptionAux(512, numClasses, variant));
      this.aux2 = this.registerModule('aux2', new InceptionAux(528, numClasses, variant));
    }
    add('avgpool', bn ? new AdaptiveAvgPool2d(1) : new AvgPool2d(7, { stride: 1 }));
    add('flatten', new Flatten(1));
    add('dropout', new Dropout(bn ? 0.2 : 0.4));
    add('fc', new Linear(1024, numClasses));
    // torchvision: trunc_normal_(std=0.01, a=-2, b=2) for conv and linear weights; batch norm 1/0.
    const rng = initRng();
    for (const m of this.modules()) {
      if (m instanceof Conv2d || m instanceof Linear) {
        if (m instanceof Linear) m.resetParameters(rng); // the fc bias keeps PyTorch's default
        truncNormal_(m.weight, 0, 0.01, -2, 2, rng);
      } else if (m instanceof BatchNorm2d && m.weight && m.bias) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      }
    }
    // The paper gives no initialisation; bvlc_googlenet (its Caffe reference) starts conv biases at 0.2.
    for (const m of this.modules()) if (m instanceof Conv2d && m.bias) constant_(m.bias, 0.2);
  }

  /**
   * The logits; in training mode with auxLogits, `{ logits, aux1, aux2 }`
   * (torchvision's GoogLeNetOutputs): train on logits + 0.3·(aux1 + aux2) losses.
   */
  forward(x: Tensor): Tensor | GoogLeNetOutputs {
    if (this.aux1 && this.aux2 && this.training) return this.forwardWithAux(x);
    let y = this.transform ? F.conv2d(x, this.transform.w, this.transform.b) : x;
    for (const m of this.stages) y = m.forward(y) as Tensor;
    return y;
  }

  /** Stage by stage (no activation freeing: the heads read two intermediate maps). */
  private forwardWithAux(x: Tensor): GoogLeNetOutputs {
    let y = this.transform ? F.conv2d(x, this.transform.w, this.transform.b) : x;
    let aux1: Tensor | null = null;
    let aux2: Tensor | null = null;
    for (const [name, m] of this.namedChildren()) {
      if (m === this.aux1 || m === this.aux2) continue;
      y = m.forward(y) as Tensor;
      if (name === 'inception4a') aux1 = this.aux1!.forward(y);
      else if (name === 'inception4d') aux2 = this.aux2!.forward(y);
    }
    return { logits: y, aux1: aux1!, aux2: aux2! };
  }
}

/**
 * torchvision's GoogLeNet pretrained weights expect `transform_input=True`:
 * x_c · (std_c / 0.5) + (mean_c − 0.5) / 0.5 per RGB channel, turning an
 * ImageNet-normalised input into the [-1, 1] scaling the weights were trained on.
 */
function inputTransform(): { w: Tensor; b: Tensor } {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const w = new Float32Array(9);
  for (let c = 0; c < 3; c++) w[c * 4] = std[c] / 0.5;
  return { w: keep(tensor(w, [3, 3, 1, 1])), b: keep(tensor(mean.map((m) => (m - 0.5) / 0.5), [3])) };
}

/**
 * torchvision GoogLeNet (no aux heads): 6,624,904 parameters (13,004,888 with
 * `auxLogits: true`); 'original': the 2014 paper's Table 1 (and its aux heads).
 * `transformInput: true` for torchvision's pretrained weights (they were loaded with transform_input=True).
 */
export function googlenet(opts: { numClasses?: number; variant?: Variant; transformInput?: boolean; auxLogits?: boolean; seed?: number } = {}): GoogLeNet {
  const n = zooOptions('googlenet', opts, ['variant', 'transformInput', 'auxLogits']);
  check(opts.auxLogits === undefined || typeof opts.auxLogits === 'boolean', 'googlenet', `auxLogits must be true or false, got ${String(opts.auxLogits)}`);
  const variant = opts.variant ?? 'torchvision';
  check(variant === 'torchvision' || variant === 'original', 'googlenet', `variant must be 'torchvision' or 'original', got '${String(variant)}'`);
  return withInitRng(opts.seed, () => new GoogLeNet(n, variant, !!opts.transformInput, !!opts.auxLogits), { defer: true });
}
