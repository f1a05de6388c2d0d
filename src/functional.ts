// `sn.F`: the differentiable functional ops (API.md). One export line per op
// family; each family lives in its own file under ops/.
export { linear } from './ops/linear.js';
export { relu, tanh, sigmoid } from './ops/activation.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { leakyRelu } from './ops/leaky-relu.js';
export { gelu } from './ops/gelu.js';
export { localResponseNorm } from './ops/lrn.js';
export { batchNorm } from './ops/batchnorm.js';
export { dropout } from './ops/dropout.js';
export { concat, flatten } from './ops/shape.js';
// F.add is sn.add (PyTorch broadcasting); its old same-shape/leading-broadcast cases give the same bits.
export { add } from './ops/elementwise.js';
export { conv2d } from './ops/conv2d/index.js';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d } from './ops/pool.js';
export type { Conv2dOptions } from './ops/conv2d/index.js';
export type { MaxPool2dOptions, AvgPool2dOptions } from './ops/pool.js';
export { crossEntropy } from './ops/cross-entropy.js';
export type { CrossEntropyOptions } from './ops/cross-entropy.js';
export { nllLoss } from './ops/nll.js';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './ops/binary-cross-entropy.js';
export { klDiv } from './ops/kl-div.js';
export { l1Loss, mseLoss, smoothL1Loss, huberLoss } from './ops/regression-losses.js';
export { pad } from './ops/pad.js';
export type { PadMode } from './ops/pad.js';
