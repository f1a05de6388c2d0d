import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sn from '../index.js';
import { DataLoader } from '../data/dataloader.js';
import type { Module } from '../nn/module.js';
import { Rng } from '../random.js';
import type { Parsed } from './args.js';
import { readCheckpoint, restoreOptimizer, saveCheckpoint, type RunState } from './checkpoint.js';
import { evenSubset, loadData } from './datasets.js';
import { evaluate } from './evaluate.js';
import { countCorrect } from '../metrics/accuracy.js';
import { modelEntry } from './models.js';
import { fitPreprocess, trainTransform, type Preprocess } from './preprocess.js';
import { EpochProgress, type Io } from './progress.js';
import { OPTIMIZER_DEFAULTS, RESUME_MAY_SET, type TrainConfig } from './train-options.js';
import { UsageError, explain } from './usage-error.js';

type Optimizer = sn.optim.Optimizer<{ lr: number }>;
type Scheduler = { step(metric?: number): void; stateDict(): Record<string, unknown>; loadStateDict(sd: Record<string, unknown>): void };

/** Set by the SIGINT handler; the loop checks it between batches and saves before exiting. */
export interface StopSignal {
  stop: boolean;
}

/** The config of a new run from the command line (per-optimizer defaults filled in). */
function newConfig(p: Parsed): TrainConfig {
  const o = p.opts;
  const d = OPTIMIZER_DEFAULTS[o.optimizer as string];
  const cfg: TrainConfig = {
    model: o.model as string,
    data: o.data as string,
    epochs: o.epochs as number,
    batchSize: o.batchSize as number,
    optimizer: o.optimizer as TrainConfig['optimizer'],
    lr: (o.lr as number | undefined) ?? d.lr,
    momentum: (o.momentum as number | undefined) ?? d.momentum,
    weightDecay: (o.weightDecay as number | undefined) ?? d.weightDecay,
    schedule: o.schedule as TrainConfig['schedule'],
    augment: o.augment as boolean,
    seed: o.seed as number,
    trainSize: o.trainSize as number,
    testSize: o.testSize as number,
  };
  if (cfg.epochs < 1) throw new UsageError(`train: --epochs must be at least 1, got ${cfg.epochs}`);
  if (cfg.batchSize < 1) throw new UsageError(`train: --batch-size must be at least 1, got ${cfg.batchSize}`);
  if (!(cfg.lr > 0)) throw new UsageError(`train: --lr must be positive, got ${cfg.lr}`);
  if (cfg.momentum !== 0 && cfg.optimizer !== 'sgd') throw new UsageError(`train: --momentum is for sgd; ${cfg.optimizer} has betas`);
  return cfg;
}

/** The config stored in a checkpoint, checked field by field (a damaged one is a corrupt checkpoint, not a crash). */
function savedConfig(c: Record<string, unknown>, path: string, release: () => void): TrainConfig {
  const kinds: Record<keyof TrainConfig, string> = {
    model: 'string', data: 'string', epochs: 'number', batchSize: 'number', optimizer: 'string', lr: 'number', momentum: 'number',
    weightDecay: 'number', schedule: 'string', augment: 'boolean', seed: 'number', trainSize: 'number', testSize: 'number',
  };
  const bad = Object.entries(kinds).filter(([k, t]) => typeof c?.[k] !== t).map(([k]) => k);
  if (bad.length || !(String(c.optimizer) in OPTIMIZER_DEFAULTS) || !['none', 'step', 'cosine', 'plateau'].includes(String(c.schedule))) {
    release();
    throw new UsageError(`corrupt checkpoint ${path}: its training config is damaged (${bad.length ? `missing or mistyped: ${bad.join(', ')}` : 'unknown optimizer or schedule'})`);
  }
  return { ...(c as unknown as TrainConfig) };
}

function makeOptimizer(cfg: TrainConfig, model: Module): Optimizer {
  const params = model.parameters();
  if (cfg.optimizer === 'sgd') return new sn.optim.SGD(params, { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay }) as unknown as Optimizer;
  const Cls = cfg.optimizer === 'adam' ? sn.optim.Adam : sn.optim.AdamW;
  return new Cls(params, { lr: cfg.lr, weightDecay: cfg.weightDecay }) as unknown as Optimizer;
}

function makeScheduler(cfg: TrainConfig, opt: Optimizer): Scheduler | null {
  const s = sn.optim.lrScheduler;
  switch (cfg.schedule) {
    case 'step': return new s.StepLR(opt, { stepSize: Math.max(1, Math.round(cfg.epochs / 3)), gamma: 0.1 });
    case 'cosine': return new s.CosineAnnealingLR(opt, { tMax: cfg.epochs });
    case 'plateau': return new s.ReduceLROnPlateau(opt, { mode: 'min', factor: 0.1, patience: 2 });
    default: return null;
  }
}

/** Three words hashed to a seed (murmur3's finaliser), so each step's dropout stream is independent. */
function mixSeed(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x2545f491, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * Modules that draw random numbers (Dropout) hold an Rng; it is reset from
 * (seed, step, module) before every step, so a resumed run draws the masks the
 * uninterrupted run would have, without saving any generator state.
 */
function reseedModules(model: Module, seed: number, step: number): void {
  let k = 0;
  for (const m of model.modules()) {
    const rng = (m as unknown as { rng?: unknown }).rng;
    if (rng instanceof Rng) rng.setState(new Rng(mixSeed(seed, step, k++)).getState());
  }
}

export async function train(p: Parsed, io: Io, signal: StopSignal): Promise<number> {
  const resumeDir = p.opts.resume as string | undefined;
  let cfg: TrainConfig;
  let saved: ReturnType<typeof readCheckpoint> | null = null;
  if (resumeDir !== undefined) {
    const fixed = [...p.given].filter((k) => !RESUME_MAY_SET.has(k));
    if (fixed.length) throw new UsageError(`train --resume: ${fixed.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} cannot change on resume (the run's settings come from its checkpoint; only --epochs, --threads, --out may be given)`);
    saved = readCheckpoint(resumeDir);
    if (!saved.state) {
      saved.dispose();
      throw new UsageError(`cannot resume from ${saved.path}: it holds weights only, no run state`);
    }
    cfg = savedConfig(saved.state.config, saved.path, () => saved?.dispose());
    if (p.given.has('epochs')) cfg.epochs = p.opts.epochs as number;
  } else {
    cfg = newConfig(p);
  }
  const outDir = p.given.has('out') || resumeDir === undefined ? (p.opts.out as string) : resumeDir;
  const entry = modelEntry(cfg.model);
  const data = loadData(cfg.data, entry.input[0] === 1 ? 1 : 3);
  const prep: Preprocess = saved?.state?.preprocess ?? fitPreprocess(cfg.model, entry.input, data.shape, data.kind);
  const trainSet = evenSubset(data.train, cfg.trainSize);
  const testSet = evenSubset(data.test, cfg.testSize);

  const model = entry.build(data.classes.length, cfg.seed);
  const opt = makeOptimizer(cfg, model);
  const sched = makeScheduler(cfg, opt);
  let progress: RunState['progress'] = { epoch: 0, batch: 0, step: 0, running: { loss: 0, correct: 0, seen: 0, seconds: 0 }, done: false };
  let history: Record<string, number>[] = [];
  if (saved?.state) {
    try {
      try {
        model.loadStateDict(saved.weights);
      } catch (e) {
        throw new UsageError(`corrupt checkpoint ${saved.path}: the weights do not fit ${cfg.model}: ${(e as Error).message}`);
      }
      restoreOptimizer(opt, saved);
      const schedState = saved.state.scheduler;
      if (sched && schedState) explain(`corrupt checkpoint ${saved.path}: scheduler state`, () => sched.loadStateDict(schedState));
    } finally {
      saved.dispose(); // the model and optimizer hold copies
    }
    progress = saved.state.progress;
    history = saved.state.history;
    if (progress.done && progress.epoch >= cfg.epochs) {
      io.out.write(`the run in ${resumeDir} already finished ${progress.epoch} epochs; give --epochs N (more than ${progress.epoch}) to train further\n`);
      return 0;
    }
  }

  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create the run folder ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const loader = new DataLoader(trainSet, { batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed, transform: trainTransform(prep, cfg.augment) });
  const params = model.parameters().reduce((s, t) => s + t.size, 0);
  io.out.write(`${resumeDir !== undefined ? `resuming ${resumeDir} at epoch ${progress.epoch + 1}, batch ${progress.batch}: ` : ''}${cfg.model} (${params.toLocaleString('en-US')} parameters) on ${cfg.data} (${data.kind}: ${trainSet.length} train, ${testSet.length} test, ${data.classes.length} classes), ${cfg.optimizer} lr ${cfg.lr}, ${cfg.schedule} schedule, batch ${cfg.batchSize}${cfg.augment ? ', augmented' : ''}, ${sn.backendInfo().threads} thread(s)\n`);

  const state = (): Omit<RunState, 'optimizer'> => ({
    model: cfg.model, classes: [...data.classes], preprocess: prep, config: { ...cfg }, progress, history,
    scheduler: sched ? sched.stateDict() : null,
  });
  const save = () => saveCheckpoint(outDir, model, opt, state());

  model.train();
  for (let epoch = progress.epoch; epoch < cfg.epochs; epoch++) {
    const label = `epoch ${epoch + 1}/${cfg.epochs}`;
    const bar = new EpochProgress(io, label, loader.length, progress.batch);
    const run = progress.running;
    const lr = opt.lr;
    const t0 = performance.now();
    let imagesSince = 0, tRate = t0, rate = 0;
    for (let b = progress.batch; b < loader.length; b++) {
      const batch = loader.batch(epoch, b);
      reseedModules(model, cfg.seed, progress.step);
      const { loss, hits } = sn.tidy(() => {
        const logits = model.forward(batch.x) as sn.Tensor;
        const l = sn.F.crossEntropy(logits, batch.y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return { loss: l.item(), hits: countCorrect(logits.toFloat32Array(), logits.shape[1], batch.y, [1])[0] };
      });
      batch.dispose();
      progress.step++;
      progress.batch = b + 1;
      run.loss += loss * batch.size;
      run.correct += hits;
      run.seen += batch.size;
      imagesSince += batch.size;
      const now = performance.now();
      if (now - tRate > 250 || rate === 0) {
        rate = (imagesSince / (now - tRate)) * 1000;
        tRate = now;
        imagesSince = 0;
      }
      bar.update({ batch: b + 1, loss: run.loss / run.seen, accuracy: run.correct / run.seen, imagesPerSec: rate });
      if ((b & 3) === 3) await new Promise(setImmediate); // lets SIGINT in
      if (signal.stop) {
        bar.stop();
        run.seconds += (performance.now() - t0) / 1000;
        const path = save();
        io.out.write(`interrupted at epoch ${epoch + 1}, batch ${b + 1}/${loader.length}: saved ${path}; continue with: simdnn train --resume ${outDir}\n`);
        return 130;
      }
    }
    bar.stop();
    run.seconds += (performance.now() - t0) / 1000;
    const val = await evaluate(model, testSet, prep, p.opts.evalBatchSize as number);
    if (sched) sched.step(val.loss);
    history.push({
      epoch: epoch + 1, lr, trainLoss: run.loss / run.seen, trainAccuracy: run.correct / run.seen,
      testLoss: val.loss, testAccuracy: val.accuracy, testTop5: val.top5, seconds: run.seconds, imagesPerSec: run.seen / run.seconds,
      memoryBytes: sn.backendInfo().memoryBytes,
    });
    io.out.write(`${label}: train loss ${(run.loss / run.seen).toFixed(4)} acc ${pct(run.correct / run.seen)} | test loss ${val.loss.toFixed(4)} acc ${pct(val.accuracy)} | ${(run.seen / run.seconds).toFixed(0)} img/s, ${run.seconds.toFixed(1)} s\n`);
    progress = { epoch: epoch + 1, batch: 0, step: progress.step, running: { loss: 0, correct: 0, seen: 0, seconds: 0 }, done: epoch + 1 === cfg.epochs };
    save();
    writeMetrics(outDir, cfg, history);
    if (signal.stop) {
      io.out.write(`interrupted after epoch ${epoch + 1}: saved ${join(outDir, 'checkpoint.safetensors')}; continue with: simdnn train --resume ${outDir}\n`);
      return 130;
    }
  }
  const last = history[history.length - 1];
  io.out.write(`test accuracy ${pct(last.testAccuracy)} (top-5 ${pct(last.testTop5)}), test loss ${last.testLoss.toFixed(4)} on ${testSet.length} held-out images\n`);
  io.out.write(`saved ${join(outDir, 'checkpoint.safetensors')}, ${join(outDir, 'metrics.json')}, ${join(outDir, 'metrics.csv')}\n`);
  return 0;
}

export const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

const COLUMNS = ['epoch', 'lr', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'testTop5', 'seconds', 'imagesPerSec', 'memoryBytes'];

/** metrics.json (config + one record per epoch) and metrics.csv (the same records as rows). */
function writeMetrics(dir: string, cfg: TrainConfig, history: Record<string, number>[]): void {
  const json = { config: cfg, epochs: history, final: history[history.length - 1] ?? null };
  const csv = [COLUMNS.join(','), ...history.map((h) => COLUMNS.map((c) => String(h[c])).join(','))].join('\n') + '\n';
  try {
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(json, null, 2) + '\n');
    writeFileSync(join(dir, 'metrics.csv'), csv);
  } catch (e) {
    throw new UsageError(`cannot write metrics to ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
