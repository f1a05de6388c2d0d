import { check, SimdnnError } from '../errors.js';
import { checkNumber, type Optimizer } from './optimizer.js';
import { checkInt, checkOptions, loadSchedulerState, schedulerState } from './lr-scheduler.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss, an error rate); 'max': rise (an accuracy). */
  mode: 'min' | 'max';
  /** lr ← max(lr·factor, minLr) on a plateau. */
  factor: number;
  /** Epochs without improvement tolerated; the lr drops on the next one. */
  patience: number;
  threshold: number;
  /** 'rel': better means beyond best·(1 ∓ threshold); 'abs': beyond best ∓ threshold. */
  thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a drop before counting bad epochs again. */
  cooldown: number;
  minLr: number | number[];
  /** Drops smaller than this are skipped. */
  eps: number;
}

const KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];

/**
 * Divides the learning rate when a metric stops improving (torch
 * ReduceLROnPlateau; AlexNet's "divide by 10 when the validation error stops
 * improving" is `{ factor: 0.1 }` stepped with the validation error).
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer<{ lr: number }>;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer<{ lr: number }>, opts: Partial<ReduceLROnPlateauOptions> = {}) {
    const op = 'ReduceLROnPlateau';
    checkOptions(op, opts, KEYS);
    check(optimizer !== null && typeof optimizer === 'object' && Array.isArray(optimizer.paramGroups), op, 'expects an optimizer');
    const o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...opts };
    check(o.mode === 'min' || o.mode === 'max', op, `mode must be 'min' or 'max', got ${String(o.mode)}`);
    check(o.thresholdMode === 'rel' || o.thresholdMode === 'abs', op, `thresholdMode must be 'rel' or 'abs', got ${String(o.thresholdMode)}`);
    checkNumber(op, 'factor', o.factor, { max: 1, maxOpen: true });
    checkNumber(op, 'threshold', o.threshold);
    checkNumber(op, 'eps', o.eps);
    for (const k of ['patience', 'cooldown'] as const) checkInt(op, k, o[k], 0);
    const groups = optimizer.paramGroups.length;
    const minLrs = Array.isArray(o.minLr) ? o.minLr.slice() : new Array<number>(groups).fill(o.minLr);
    check(minLrs.length === groups, op, `minLr has ${minLrs.length} values for ${groups} parameter groups`);
    minLrs.forEach((v, i) => checkNumber(op, `minLr[${i}]`, v));
    this.optimizer = optimizer;
    this.mode = o.mode as 'min' | 'max';
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode as 'rel' | 'abs';
    this.cooldown = o.cooldown;
    this.minLrs = minLrs;
    this.eps = o.eps;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records one epoch's metric (e.g. the validation error) and lowers the lr on a plateau. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new SimdnnError('ReduceLROnPlateau', `metric must be a number, got ${String(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const best = this.best, t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): Record<string, unknown> {
    return schedulerState(this, ['optimizer']);
  }

  loadStateDict(sd: Record<string, unknown>): void {
    loadSchedulerState(this, sd, this.stateDict(), 'ReduceLROnPlateau.loadStateDict');
  }
}
