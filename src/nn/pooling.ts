import { check } from '../errors.js';
import * as F from '../functional.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, pair } from './init.js';
import { Module } from './module.js';

type Size = number | [number, number];

interface PoolOptions {
  stride?: Size;
  padding?: Size;
  ceilMode?: boolean;
}

/** Max pooling; `stride` defaults to the kernel size, as in PyTorch. */
export class MaxPool2d extends Module {
  static override readonly typeName: string = 'MaxPool2d';
  static override readonly _keepsNoActivations: boolean = true;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;

  constructor(kernelSize: Size, opts: PoolOptions & { dilation?: Size } = {}) {
    super();
    checkOptions('MaxPool2d', opts, ['stride', 'padding', 'dilation', 'ceilMode']);
    this.kernelSize = pair(kernelSize, 'MaxPool2d', 'kernelSize');
    this.stride = opts.stride === undefined ? this.kernelSize : pair(opts.stride, 'MaxPool2d', 'stride');
    this.padding = pair(opts.padding ?? 0, 'MaxPool2d', 'padding', 0);
    this.dilation = pair(opts.dilation ?? 1, 'MaxPool2d', 'dilation');
    this.ceilMode = !!opts.ceilMode;
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
}

/** Average pooling (`countIncludePad` as in PyTorch, default true). */
export class AvgPool2d extends Module {
  static override readonly typeName: string = 'AvgPool2d';
  static override readonly _keepsNoActivations: boolean = true;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Size, opts: PoolOptions & { countIncludePad?: boolean } = {}) {
    super();
    checkOptions('AvgPool2d', opts, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
    this.kernelSize = pair(kernelSize, 'AvgPool2d', 'kernelSize');
    this.stride = opts.stride === undefined ? this.kernelSize : pair(opts.stride, 'AvgPool2d', 'stride');
    this.padding = pair(opts.padding ?? 0, 'AvgPool2d', 'padding', 0);
    this.ceilMode = !!opts.ceilMode;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
}

function outputSize(v: Size, op: string): [number, number] {
  check(v !== undefined, op, 'outputSize is required');
  return pair(v, op, 'outputSize');
}

/** Average pooling to a fixed output size (torchvision's `avgpool` before the classifier). */
export class AdaptiveAvgPool2d extends Module {
  static override readonly typeName: string = 'AdaptiveAvgPool2d';
  static override readonly _keepsNoActivations: boolean = true;
  readonly outputSize: [number, number];
  constructor(size: Size) {
    super();
    this.outputSize = outputSize(size, 'AdaptiveAvgPool2d');
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}

export class AdaptiveMaxPool2d extends Module {
  static override readonly typeName: string = 'AdaptiveMaxPool2d';
  static override readonly _keepsNoActivations: boolean = true;
  readonly outputSize: [number, number];
  constructor(size: Size) {
    super();
    this.outputSize = outputSize(size, 'AdaptiveMaxPool2d');
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveMaxPool2d(x, this.outputSize);
  }
}
