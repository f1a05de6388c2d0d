// `optim.lrScheduler`: the schedules, PyTorch's names.
export { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR } from './lr-scheduler.js';
export { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
export type { ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
