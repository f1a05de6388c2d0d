import { check, checkKnownKeys, SimdnnError } from '../errors.js';
import { checkNumber, type Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

export function checkOptions(op: string, opts: unknown, keys: string[]): void {
  check(opts !== null && typeof opts === 'object', op, 'options must be an object');
  checkKnownKeys(op, opts as object, keys);
}

export function checkInt(op: string, name: string, v: unknown, min: number): void {
  if (!Number.isInteger(v) || (v as number) < min) throw new SimdnnError(op, `${name} must be an integer ≥ ${min}, got ${String(v)}`);
}

/** A scheduler's own fields as plain data (every one but `skip`), for stateDict(). */
export function schedulerState(s: object, skip: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!skip.includes(k)) out[k] = structuredClone(v);
  return out;
}

/** Copies `sd` into the scheduler `s` after checking its keys and their types against `mine` (its own stateDict()). */
export function loadSchedulerState(s: object, sd: Record<string, unknown>, mine: Record<string, unknown>, op: string): void {
  check(sd !== null && typeof sd === 'object', op, 'expects what stateDict() returns');
  for (const k of Object.keys(sd)) {
    if (!(k in mine)) throw new SimdnnError(op, `unknown key '${k}'`);
    if (typeof sd[k] !== typeof mine[k]) throw new SimdnnError(op, `'${k}' must be a ${typeof mine[k]}`);
  }
  Object.assign(s, structuredClone(sd));
}

/**
 * The epoch-based schedulers (PyTorch's `_LRScheduler`): constructing one
 * records each group's lr as its base and takes step 0; every `step()` then
 * advances one epoch and writes the new lr into the optimizer's groups. The
 * updates are PyTorch's recursive ("chainable") forms, which start from the
 * group's current lr, so the numbers equal PyTorch's.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  baseLrs: number[];
  lastEpoch = -1;
  protected lastLr: number[] = [];
  protected readonly name: string;

  protected constructor(name: string, optimizer: AnyOptimizer) {
    check(optimizer !== null && typeof optimizer === 'object' && Array.isArray(optimizer.paramGroups), name, 'expects an optimizer');
    this.name = name;
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Call from the subclass constructor after its options are set (PyTorch's initial step). */
  protected start(): void {
    this.step();
  }

  /** Advances one epoch and sets the groups' learning rates. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = lrs.slice();
  }

  /** The learning rates the last `step()` set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  protected abstract computeLr(): number[];

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Plain data: the epoch counter, base rates and the scheduler's options. */
  stateDict(): Record<string, unknown> {
    return schedulerState(this, ['optimizer', 'name']);
  }

  loadStateDict(sd: Record<string, unknown>): void {
    loadSchedulerState(this, sd, this.stateDict(), `${this.name}.loadStateDict`);
  }
}

/** lr = lr·gamma every `stepSize` epochs (torch StepLR). */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: AnyOptimizer, opts: { stepSize: number; gamma?: number }) {
    checkOptions('StepLR', opts, ['stepSize', 'gamma']);
    checkInt('StepLR', 'stepSize', opts.stepSize, 1);
    checkNumber('StepLR', 'gamma', opts.gamma ?? 0.1);
    super('StepLR', optimizer);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.start();
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/** lr = lr·gamma at each milestone epoch (torch MultiStepLR; a milestone listed twice applies twice). */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;
  constructor(optimizer: AnyOptimizer, opts: { milestones: number[]; gamma?: number }) {
    checkOptions('MultiStepLR', opts, ['milestones', 'gamma']);
    check(Array.isArray(opts.milestones), 'MultiStepLR', 'milestones must be an array of epochs');
    opts.milestones.forEach((m, i) => checkInt('MultiStepLR', `milestones[${i}]`, m, 0));
    checkNumber('MultiStepLR', 'gamma', opts.gamma ?? 0.1);
    super('MultiStepLR', optimizer);
    this.milestones = opts.milestones.slice().sort((a, b) => a - b);
    this.gamma = opts.gamma ?? 0.1;
    this.start();
  }
  protected computeLr(): number[] {
    const times = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.groupLrs();
    if (times === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma ** times);
  }
}

/** lr = lr·gamma every epoch (torch ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: AnyOptimizer, opts: { gamma: number }) {
    checkOptions('ExponentialLR', opts, ['gamma']);
    checkNumber('ExponentialLR', 'gamma', opts.gamma);
    super('ExponentialLR', optimizer);
    this.gamma = opts.gamma;
    this.start();
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from the base lr to `etaMin` over `tMax` epochs (torch
 * CosineAnnealingLR, SGDR without restarts): η = ηmin + (η0 − ηmin)(1 + cos(π·t/tMax))/2,
 * applied in PyTorch's recursive form (and rising again after tMax, as PyTorch's does).
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: AnyOptimizer, opts: { tMax: number; etaMin?: number }) {
    checkOptions('CosineAnnealingLR', opts, ['tMax', 'etaMin']);
    checkInt('CosineAnnealingLR', 'tMax', opts.tMax, 1);
    checkNumber('CosineAnnealingLR', 'etaMin', opts.etaMin ?? 0);
    super('CosineAnnealingLR', optimizer);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    this.start();
  }
  protected computeLr(): number[] {
    const t = this.lastEpoch, T = this.tMax, lo = this.etaMin;
    const lrs = this.groupLrs();
    if (t === 0) return lrs;
    if ((t - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - lo) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - lo) + lo);
  }
}

/**
 * Linear warm-up (torch LinearLR): the factor goes from `startFactor` to
 * `endFactor` over `totalIters` epochs, then stays.
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    checkOptions('LinearLR', opts, ['startFactor', 'endFactor', 'totalIters']);
    const s = opts.startFactor ?? 1 / 3, e = opts.endFactor ?? 1, n = opts.totalIters ?? 5;
    checkNumber('LinearLR', 'startFactor', s, { max: 1 });
    check(s > 0, 'LinearLR', `startFactor must be > 0, got ${s}`);
    checkNumber('LinearLR', 'endFactor', e, { max: 1 });
    checkInt('LinearLR', 'totalIters', n, 1);
    super('LinearLR', optimizer);
    this.startFactor = s;
    this.endFactor = e;
    this.totalIters = n;
    this.start();
  }
  protected computeLr(): number[] {
    const t = this.lastEpoch, s = this.startFactor, e = this.endFactor, n = this.totalIters;
    const lrs = this.groupLrs();
    if (t === 0) return lrs.map((lr) => lr * s);
    if (t > n) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }
}
