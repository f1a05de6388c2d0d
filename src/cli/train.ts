import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sn from '../index.js';
import { DataLoader } from '../data/dataloader.js';
import type { Module } from '../nn/module.js';
import { Rng } from '../random.js';
import type { Parsed } from './args.js';
import { readCheckpoint, restoreOptimizer, saveCheckpoint, type RunState } from './checkpoint.js';
import { evenSubset, loadData, type DataSplits } from './datasets.js';
import { RECIPES, scaledPipeline, type RecipeName, type RecipePipeline } from './recipes.js';
import { PcaColorAugment } from '../data/pca-color.js';
import { writeReport } from './report/write-report.js';
import type { Dataset } from '../data/dataset.js';
import { folderBehind, folderTrainLoader, type TrainBatches } from './folder-loader.js';
import { evaluate } from './evaluate.js';
import { countCorrect } from '../metrics/accuracy.js';
import { trainingLoss, type TrainingOutput } from './training-loss.js';
import { modelEntry } from './models.js';
import { fitPreprocess, trainTransform, type Preprocess } from './preprocess.js';
import { EpochProgress, type Io } from './progress.js';
import { CONFIG_ADDED, OPTIMIZER_DEFAULTS, RESUME_MAY_SET, type TrainConfig } from './train-options.js';
import { UsageError, explain } from './usage-error.js';

type Optimizer = sn.optim.Optimizer<{ lr: number }>;
type Scheduler = { step(metric?: number): void; stateDict(): Record<string, unknown>; loadStateDict(sd: Record<string, unknown>): void };

/** Set by the SIGINT handler; the loop checks it between batches and saves before exiting. */
export interface StopSignal {
  stop: boolean;
}

/** The config of a new run from the command line (per-optimizer defaults filled in). */
function newConfig(p: Parsed): TrainConfig {
  const recipe = p.opts.recipe as RecipeName | undefined;
  // A recipe's values stand in for the options not given on the command line.
  const o = { ...p.opts };
  if (recipe !== undefined) for (const [k, v] of Object.entries(RECIPES[recipe].config)) if (!p.given.has(k)) o[k] = v;
  if (recipe === undefined && p.given.has('crop')) throw new UsageError('train: --crop is for --recipe (the plain pipeline resizes to the model input)');
  const d = OPTIMIZER_DEFAULTS[o.optimizer as string];
  const cfg: TrainConfig = {
    model: (o.onnx as string | undefined) ?? (o.model as string),
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
    ...(o.freeze !== undefined ? { freeze: o.freeze as string } : {}),
    ...(o.replaceHead !== undefined ? { replaceHead: o.replaceHead as number } : {}),
    recipe: recipe ?? '',
    crop: recipe !== undefined ? ((o.crop as number | undefined) ?? modelEntry((o.onnx as string | undefined) ?? (o.model as string)).input[1]) : 0,
    lrStep: o.lrStep as number,
    lrGamma: o.lrGamma as number,
  };
  if (cfg.recipe && cfg.crop < 8) throw new UsageError(`train: --crop must be at least 8, got ${cfg.crop}`);
  if (cfg.lrStep < 0 || !(cfg.lrGamma > 0)) throw new UsageError(`train: --lr-step must be >= 0 and --lr-gamma positive, got ${cfg.lrStep} and ${cfg.lrGamma}`);
  if (cfg.epochs < 1) throw new UsageError(`train: --epochs must be at least 1, got ${cfg.epochs}`);
  if (cfg.replaceHead !== undefined && !cfg.model.endsWith('.onnx')) throw new UsageError(`train: --replace-head is for ONNX models (--onnx FILE); the zoo's ${cfg.model} gets its classifier sized to the data already`);
  if (cfg.replaceHead !== undefined && cfg.replaceHead < 1) throw new UsageError(`train: --replace-head must be at least 1, got ${cfg.replaceHead}`);
  if (cfg.batchSize < 1) throw new UsageError(`train: --batch-size must be at least 1, got ${cfg.batchSize}`);
  if (!(cfg.lr > 0)) throw new UsageError(`train: --lr must be positive, got ${cfg.lr}`);
  if (cfg.momentum !== 0 && cfg.optimizer !== 'sgd') throw new UsageError(`train: --momentum is for sgd; ${cfg.optimizer} has betas`);
  return cfg;
}

/** The config stored in a checkpoint, checked field by field (a damaged one is a corrupt checkpoint, not a crash). */
function savedConfig(saved: Record<string, unknown>, path: string, release: () => void): TrainConfig {
  const c = { ...CONFIG_ADDED, ...saved } as Record<string, unknown>;
  const kinds: Record<Exclude<keyof TrainConfig, 'freeze' | 'replaceHead'>, string> = {
    model: 'string', data: 'string', epochs: 'number', batchSize: 'number', optimizer: 'string', lr: 'number', momentum: 'number',
    weightDecay: 'number', schedule: 'string', augment: 'boolean', seed: 'number', trainSize: 'number', testSize: 'number',
    recipe: 'string', crop: 'number', lrStep: 'number', lrGamma: 'number',
  };
  const bad = Object.entries(kinds).filter(([k, t]) => typeof c?.[k] !== t).map(([k]) => k);
  if (c?.freeze !== undefined && typeof c.freeze !== 'string') bad.push('freeze');
  if (c?.replaceHead !== undefined && typeof c.replaceHead !== 'number') bad.push('replaceHead');
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
    case 'step': return new s.StepLR(opt, { stepSize: cfg.lrStep || Math.max(1, Math.round(cfg.epochs / 3)), gamma: cfg.lrGamma });
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

/** `--freeze`: parameters whose names start with one of the comma-separated prefixes stop requiring gradients. */
function freeze(model: Module, prefixes: string): void {
  const list = prefixes.split(',').map((s) => s.trim()).filter(Boolean);
  for (const pre of list) {
    const hit = model.namedParameters().filter(([k]) => k.startsWith(pre));
    if (hit.length === 0) throw new UsageError(`train: --freeze ${pre} matches no parameter (names look like ${model.namedParameters().slice(0, 3).map(([k]) => k).join(', ')})`);
    for (const [, p] of hit) p.requiresGrad = false;
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
  const pipeline = cfg.recipe ? scaledPipeline(cfg.recipe as RecipeName, cfg.crop) : null;
  // Folder images are decoded straight to the size the pipeline starts from (sharp shrinks them on load).
  const data = loadData(cfg.data, entry.input[0] === 1 ? 1 : 3, {
    skipBadImages: p.opts.skipBadImages === true,
    resize: pipeline ? pipeline.decode : Math.max(entry.input[1], entry.input[2]),
    testResize: pipeline ? pipeline.evalResize : Math.max(entry.input[1], entry.input[2]),
  });
  const trainSet = evenSubset(data.train, cfg.trainSize);
  const testSet = evenSubset(data.test, cfg.testSize);
  const prep: Preprocess = saved?.state?.preprocess ?? await newPreprocess(cfg, entry.input, data, trainSet, pipeline);

  if (cfg.replaceHead !== undefined && cfg.replaceHead !== data.classes.length) throw new UsageError(`train: --replace-head ${cfg.replaceHead} asks for ${cfg.replaceHead} classes, but ${cfg.data} has ${data.classes.length}`);
  // GoogLeNet's recipe trains its two auxiliary classifiers too (their losses weighted 0.3).
  const auxWeight = cfg.recipe && entry.auxHeads ? (RECIPES[cfg.recipe as RecipeName].auxWeight ?? 0) : 0;
  const model = entry.build(data.classes.length, cfg.seed, { newHead: cfg.replaceHead !== undefined, auxLogits: auxWeight > 0 });
  if (cfg.freeze !== undefined) freeze(model, cfg.freeze);
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
  const loader = trainLoader(trainSet, cfg, prep, p.opts.dataWorkers as number, p.opts.skipBadImages === true);
  const params = model.parameters().reduce((s, t) => s + t.size, 0);
  io.out.write(`${resumeDir !== undefined ? `resuming ${resumeDir} at epoch ${progress.epoch + 1}, batch ${progress.batch}: ` : ''}${cfg.model} (${params.toLocaleString('en-US')} parameters) on ${cfg.data} (${data.kind}: ${trainSet.length} train, ${testSet.length} test, ${data.classes.length} classes), ${cfg.recipe ? `${cfg.recipe} recipe (${cfg.crop}px crops)${auxWeight > 0 ? ` with the auxiliary classifiers' losses weighted ${auxWeight}` : ''}, ` : ''}${cfg.optimizer} lr ${cfg.lr} momentum ${cfg.momentum} weight decay ${cfg.weightDecay}, ${cfg.schedule} schedule, batch ${cfg.batchSize}${cfg.augment ? ', augmented' : ''}, ${sn.backendInfo().threads} thread(s), data prepared in ${loader.where}\n`);

  const state = (): Omit<RunState, 'optimizer'> => ({
    model: cfg.model, classes: [...data.classes], preprocess: prep, config: { ...cfg }, progress, history,
    scheduler: sched ? sched.stateDict() : null,
  });
  const save = () => saveCheckpoint(outDir, model, opt, state());

  try {
    return await trainEpochs();
  } finally {
    loader.close();
  }

  async function trainEpochs(): Promise<number> {
    model.train();
    for (let epoch = progress.epoch; epoch < cfg.epochs; epoch++) {
      const label = `epoch ${epoch + 1}/${cfg.epochs}`;
      const bar = new EpochProgress(io, label, loader.length, progress.batch);
      const run = progress.running;
      const lr = opt.lr;
      const t0 = performance.now();
      let imagesSince = 0, tRate = t0, rate = 0;
      let next = progress.batch;
      for await (const batch of loader.batches(epoch, progress.batch)) {
        const b = next++;
        reseedModules(model, cfg.seed, progress.step);
        const { loss, hits } = sn.tidy(() => {
          const { loss: l, main, logits } = trainingLoss(model.forward(batch.x) as TrainingOutput, batch.y, auxWeight);
          opt.zeroGrad();
          l.backward();
          opt.step();
          return { loss: main.item(), hits: countCorrect(logits.toFloat32Array(), logits.shape[1], batch.y, [1])[0] };
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
      await writeReport({ dir: outDir, title: `${cfg.model} on ${cfg.data}`, config: { ...cfg }, history, classes: data.classes, model, validation: val, test: testSet });
      if (signal.stop) {
        io.out.write(`interrupted after epoch ${epoch + 1}: saved ${join(outDir, 'checkpoint.safetensors')}; continue with: simdnn train --resume ${outDir}\n`);
        return 130;
      }
    }
    const last = history[history.length - 1];
    io.out.write(`test accuracy ${pct(last.testAccuracy)} (top-5 ${pct(last.testTop5)}), test loss ${last.testLoss.toFixed(4)} on ${testSet.length} held-out images\n`);
    io.out.write(`saved ${join(outDir, 'checkpoint.safetensors')}, ${join(outDir, 'metrics.json')}, ${join(outDir, 'metrics.csv')}, ${join(outDir, 'report.html')}\n`);
    return 0;
  }
}

/** The preprocessing of a new run: the plain fit to the model, or the recipe's pipeline with its PCA colour statistics. */
async function newPreprocess(cfg: TrainConfig, input: [number, number, number], data: DataSplits, trainSet: Dataset, pipeline: RecipePipeline | null): Promise<Preprocess> {
  const prep = fitPreprocess(cfg.model, input, data.shape, data.kind);
  if (pipeline === null) return prep;
  if (prep.channels === 3 && pipeline.pcaStd !== undefined) {
    // AlexNet's PCA over the training set's RGB values: from up to 256 images spread over it.
    const sample = evenSubset(trainSet, 256);
    await sample.prepare?.(Array.from({ length: sample.length }, (_, i) => i));
    const pca = PcaColorAugment.fit(sample);
    pipeline = { ...pipeline, pca: { covariance: Array.from(pca.covariance), mean: Array.from(pca.mean) } };
  }
  return { ...prep, size: [cfg.crop, cfg.crop], pad: 0, recipe: pipeline };
}

/** Image folders: decoded with sharp in data workers (folder-loader.ts); arrays: the plain DataLoader here. */
function trainLoader(ds: Dataset, cfg: TrainConfig, prep: Preprocess, workers: number, skipBadImages: boolean): TrainBatches {
  if (!(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`train: --data-workers must be a non-negative integer, got ${workers}`);
  const f = folderBehind(ds);
  if (f !== null) {
    return folderTrainLoader({
      root: f.folder.root, indices: f.indices, channels: prep.channels === 1 ? 1 : 3, resize: prep.recipe?.decode ?? Math.max(...prep.size), skipBadImages,
      batchSize: cfg.batchSize, seed: cfg.seed, prep, augment: cfg.augment,
    }, workers);
  }
  const dl = new DataLoader(ds, { batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed, transform: trainTransform(prep, cfg.augment) });
  return { length: dl.length, batches: (e, s) => dl.batches(e, s), where: 'the main thread', close: () => {} };
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
