// `sn.nn`: modules (API.md). Layers and the zoo's building blocks are re-exported here.
export { Module, Sequential, parameter } from './module.js';
export type { ForwardHook } from './module.js';
export { CrossEntropyLoss, L1Loss, MSELoss, SmoothL1Loss, HuberLoss } from './losses.js';
