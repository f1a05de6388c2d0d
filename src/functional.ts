// `sn.F`: the differentiable functional ops (API.md). One export line per op
// family; each family lives in its own file under ops/.
export { linear } from './ops/linear.js';
export { relu, tanh, sigmoid } from './ops/activation.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { localResponseNorm } from './ops/lrn.js';
export { batchNorm } from './ops/batchnorm.js';
export { dropout } from './ops/dropout.js';
export { add, concat, flatten } from './ops/shape.js';
