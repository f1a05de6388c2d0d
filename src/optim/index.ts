// `sn.optim`: optimizers over parameter lists and learning-rate schedules.
export { Optimizer } from './optimizer.js';
export type { OptimizerStateDict, ParamGroup, ParamGroupSpec, OptimizerParams } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export * as lrScheduler from './lr-schedulers.js';
