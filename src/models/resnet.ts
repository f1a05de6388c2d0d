import { constant_, initRng, kaimingNormal_, withInitRng } from '../nn/init.js';
import * as F from '../functional.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { Flatten, ReLU } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/norm.js';
import { Module, Sequential } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { zooOptions } from './options.js';

const conv3x3 = (inC: number, outC: number, stride = 1) => new Conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
const conv1x1 = (inC: number, outC: number, stride = 1) => new Conv2d(inC, outC, 1, { stride, bias: false });

/** The 1x1 projection (conv + batch norm) a block uses when its shape changes. */
function projection(inC: number, outC: number, stride: number): Sequential | null {
  return stride !== 1 || inC !== outC ? new Sequential(conv1x1(inC, outC, stride), new BatchNorm2d(outC)) : null;
}

/** ResNet-18/34 block: two 3x3 convs with batch norm, plus the shortcut. */
export class BasicBlock extends Module {
  static override readonly typeName: string = 'BasicBlock';
  static override readonly _keepsNoActivations: boolean = true;
  static readonly expansion = 1;
  conv1: Conv2d; bn1: BatchNorm2d; relu: ReLU; conv2: Conv2d; bn2: BatchNorm2d;
  downsample: Sequential | null;

  constructor(inC: number, planes: number, stride = 1) {
    super();
    this.conv1 = this.registerModule('conv1', conv3x3(inC, planes, stride));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.relu = this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    const ds = projection(inC, planes, stride);
    this.downsample = ds && this.registerModule('downsample', ds);
  }

  forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(F.add(out, identity));
  }
}

/** ResNet-50/101/152 block (torchvision's v1.5: the stride sits on the 3x3 conv): 1x1, 3x3, 1x1 x4. */
export class Bottleneck extends Module {
  static override readonly typeName: string = 'Bottleneck';
  static override readonly _keepsNoActivations: boolean = true;
  static readonly expansion = 4;
  conv1: Conv2d; bn1: BatchNorm2d; conv2: Conv2d; bn2: BatchNorm2d; conv3: Conv2d; bn3: BatchNorm2d; relu: ReLU;
  downsample: Sequential | null;

  constructor(inC: number, planes: number, stride = 1) {
    super();
    const outC = planes * Bottleneck.expansion;
    this.conv1 = this.registerModule('conv1', conv1x1(inC, planes));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes, stride));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.conv3 = this.registerModule('conv3', conv1x1(planes, outC));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(outC));
    this.relu = this.registerModule('relu', new ReLU());
    const ds = projection(inC, outC, stride);
    this.downsample = ds && this.registerModule('downsample', ds);
  }

  forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(F.add(out, identity));
  }
}

type BlockClass = typeof BasicBlock | typeof Bottleneck;

/** ResNet as torchvision builds it: conv1/bn1/relu/maxpool, layer1…layer4, avgpool, fc. */
export class ResNet extends Module {
  static override readonly typeName: string = 'ResNet';
  static override readonly _keepsNoActivations: boolean = true;
  conv1: Conv2d; bn1: BatchNorm2d; relu: ReLU; maxpool: MaxPool2d;
  layer1: Sequential; layer2: Sequential; layer3: Sequential; layer4: Sequential;
  avgpool: AdaptiveAvgPool2d; flatten: Flatten; fc: Linear;

  constructor(block: BlockClass, layers: [number, number, number, number], numClasses: number) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(64));
    this.relu = this.registerModule('relu', new ReLU());
    this.maxpool = this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    let inC = 64;
    const stage = (planes: number, blocks: number, stride: number) => {
      const list: Module[] = [];
      for (let i = 0; i < blocks; i++) {
        list.push(new block(inC, planes, i === 0 ? stride : 1));
        inC = planes * block.expansion;
      }
      return new Sequential(...list);
    };
    this.layer1 = this.registerModule('layer1', stage(64, layers[0], 1));
    this.layer2 = this.registerModule('layer2', stage(128, layers[1], 2));
    this.layer3 = this.registerModule('layer3', stage(256, layers[2], 2));
    this.layer4 = this.registerModule('layer4', stage(512, layers[3], 2));
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.flatten = this.registerModule('flatten', new Flatten(1));
    this.fc = this.registerModule('fc', new Linear(512 * block.expansion, numClasses));
    // torchvision's ResNet init: kaiming_normal_(fan_out) convs (bias-free); batch norm 1/0; fc PyTorch's default.
    const rng = initRng();
    for (const m of this.modules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.weight, 'fanOut', rng);
      else if (m instanceof Linear) m.resetParameters(rng);
      else if (m instanceof BatchNorm2d && m.weight && m.bias) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    x = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(x))));
    return this.fc.forward(this.flatten.forward(this.avgpool.forward(x)));
  }
}

type ResNetOptions = { numClasses?: number; seed?: number };

function build(name: string, block: BlockClass, layers: [number, number, number, number], opts: ResNetOptions): ResNet {
  const n = zooOptions(name, opts);
  return withInitRng(opts.seed, () => new ResNet(block, layers, n), { defer: true });
}

export const resnet18 = (opts: ResNetOptions = {}) => build('resnet18', BasicBlock, [2, 2, 2, 2], opts);
export const resnet34 = (opts: ResNetOptions = {}) => build('resnet34', BasicBlock, [3, 4, 6, 3], opts);
/** ResNet-50: 25,557,032 parameters. */
export const resnet50 = (opts: ResNetOptions = {}) => build('resnet50', Bottleneck, [3, 4, 6, 3], opts);
export const resnet101 = (opts: ResNetOptions = {}) => build('resnet101', Bottleneck, [3, 4, 23, 3], opts);
export const resnet152 = (opts: ResNetOptions = {}) => build('resnet152', Bottleneck, [3, 8, 36, 3], opts);
