import { checkOptions, withInitRng } from '../nn/init.js';
import { check } from '../errors.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { MaxPool2d } from '../nn/pooling.js';
import { Flatten, ReLU } from '../nn/activation.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';

/**
 * LeNet-5 for 1x32x32 input: [CONV-POOL-CONV-POOL-FC-FC-FC] with ReLU and max
 * pooling (the lecture's modern reading). fc1 is the lecture's C5: a 5x5
 * convolution over the 5x5 map is a fully connected layer on the flattened 400.
 */
export class LeNet5 extends Module {
  static override readonly typeName: string = 'LeNet5';
  static override readonly _keepsNoActivations: boolean = true;
  conv1: Conv2d; relu1 = new ReLU(); pool1 = new MaxPool2d(2);
  conv2: Conv2d; relu2 = new ReLU(); pool2 = new MaxPool2d(2);
  flatten = new Flatten(1);
  fc1: Linear; relu3 = new ReLU();
  fc2: Linear; relu4 = new ReLU();
  fc3: Linear;

  constructor(numClasses = 10) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(1, 6, 5));
    this.registerModule('relu1', this.relu1);
    this.registerModule('pool1', this.pool1);
    this.conv2 = this.registerModule('conv2', new Conv2d(6, 16, 5));
    this.registerModule('relu2', this.relu2);
    this.registerModule('pool2', this.pool2);
    this.registerModule('flatten', this.flatten);
    this.fc1 = this.registerModule('fc1', new Linear(400, 120));
    this.registerModule('relu3', this.relu3);
    this.fc2 = this.registerModule('fc2', new Linear(120, 84));
    this.registerModule('relu4', this.relu4);
    this.fc3 = this.registerModule('fc3', new Linear(84, numClasses));
  }

  forward(x: Tensor): Tensor {
    x = this.pool1.forward(this.relu1.forward(this.conv1.forward(x)));
    x = this.pool2.forward(this.relu2.forward(this.conv2.forward(x)));
    x = this.relu3.forward(this.fc1.forward(this.flatten.forward(x)));
    x = this.relu4.forward(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}

/** LeNet-5: 61,706 parameters for 10 classes; PyTorch's default initialisation, seeded. */
export function lenet5(opts: { numClasses?: number; seed?: number } = {}): LeNet5 {
  checkOptions('lenet5', opts, ['numClasses', 'seed']);
  const n = opts.numClasses ?? 10;
  check(Number.isInteger(n) && n > 0, 'lenet5', `numClasses must be a positive integer, got ${String(n)}`);
  return withInitRng(opts.seed, () => new LeNet5(n));
}
