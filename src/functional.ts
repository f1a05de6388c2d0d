// `sn.F`: the differentiable functional ops (API.md). One export line per op
// family; each family lives in its own file under ops/.
export { linear } from './ops/linear.js';
export { crossEntropy } from './ops/cross-entropy.js';
export { l1Loss, mseLoss, smoothL1Loss, huberLoss } from './ops/regression-losses.js';
