// `sn.nn`: modules (API.md). Layers and the zoo's building blocks are re-exported here.
export { Module, Sequential, parameter } from './module.js';
export type { ForwardHook } from './module.js';
export { CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss, L1Loss, MSELoss, SmoothL1Loss, HuberLoss } from './losses.js';
export { Conv2d } from './conv.js';
export type { Conv2dOptions } from './conv.js';
export { Linear } from './linear.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './pooling.js';
export { ReLU, Dropout, Flatten, Identity, LeakyReLU, GELU, Tanh, Sigmoid, Softmax, LogSoftmax } from './activation.js';
export { ModuleList, ModuleDict } from './containers.js';
export { BatchNorm1d } from './batchnorm1d.js';
export { BatchNorm2d, LocalResponseNorm } from './norm.js';
export * as init from './init-public.js';
export * as utils from './clip-grad.js';
export { BasicBlock, Bottleneck } from '../models/resnet.js';
export { Inception, BasicConv2d } from '../models/googlenet.js';
export { foldBatchNorm } from './fold.js';
