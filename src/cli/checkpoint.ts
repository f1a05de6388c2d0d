import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as sn from '../index.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { UsageError } from './usage-error.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
const FORMAT = 'simdnn-checkpoint/1';
/** Optimizer state tensors are stored beside the weights under this prefix: `_optimizer.<param index>.<name>`. */
const OPT_PREFIX = '_optimizer.';

/**
 * Everything besides tensors that a run needs to continue exactly where it
 * stopped; stored as JSON in the safetensors `__metadata__`.
 */
export interface RunState {
  model: string;
  classes: string[];
  preprocess: import('./preprocess.js').Preprocess;
  config: Record<string, unknown>;
  /** Where training continues: epoch, next batch in it, optimizer steps taken, and the epoch's running sums so far. */
  progress: { epoch: number; batch: number; step: number; running: { loss: number; correct: number; seen: number; seconds: number }; done: boolean };
  history: Record<string, number>[];
  /** The optimizer's stateDict without its tensors (those are entries of the file). */
  optimizer: { paramGroups: Record<string, unknown>[]; numbers: Record<string, Record<string, number>> } | null;
  scheduler: Record<string, unknown> | null;
}

/** The checkpoint file of a run folder (or `path` itself when it names a file). */
export function checkpointPath(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, CHECKPOINT_FILE) : path;
  } catch {
    return path.endsWith('.safetensors') ? path : join(path, CHECKPOINT_FILE);
  }
}

// JSON has no Infinity/NaN (ReduceLROnPlateau's initial best is ±Infinity): keep them as tagged strings.
const encode = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `__num:${x}` : x));
const decode = (s: string) => JSON.parse(s, (_k, x) => (typeof x === 'string' && x.startsWith('__num:') ? Number(x.slice(6)) : x));

/**
 * Writes weights, optimizer state and run state to `dir/checkpoint.safetensors`
 * atomically: a temporary file, flushed, then renamed over the old one, so an
 * interrupted write never leaves a half checkpoint.
 */
export function saveCheckpoint(dir: string, model: Module, optimizer: sn.optim.Optimizer<{ lr: number }> | null, state: Omit<RunState, 'optimizer'>): string {
  const entries: Record<string, Tensor> = model.stateDict();
  let optJson: RunState['optimizer'] = null;
  let osd: OptimizerStateDict | null = null;
  try {
    if (optimizer) {
      osd = optimizer.stateDict();
      const numbers: Record<string, Record<string, number>> = {};
      for (const [idx, s] of Object.entries(osd.state)) {
        for (const [k, v] of Object.entries(s)) {
          if (typeof v === 'number') (numbers[idx] ??= {})[k] = v;
          else entries[`${OPT_PREFIX}${idx}.${k}`] = v;
        }
      }
      optJson = { paramGroups: osd.paramGroups, numbers };
    }
    const bytes = sn.io.saveSafetensors(entries, { metadata: { format: FORMAT, state: encode({ ...state, optimizer: optJson }) } });
    const path = join(dir, CHECKPOINT_FILE);
    writeAtomic(path, bytes);
    return path;
  } finally {
    for (const t of Object.values(entries)) t.dispose();
  }
}

function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* nothing to clean */ }
    throw new UsageError(`cannot write checkpoint ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export interface LoadedCheckpoint {
  path: string;
  /** null for a plain weights file (no simdnn run state): then --model must say what it is. */
  state: RunState | null;
  weights: Record<string, Tensor>;
  optimizerTensors: Record<string, Record<string, Tensor>>;
  dispose(): void;
}

/** Reads a checkpoint (or a plain safetensors weights file); any damage is a one-line UsageError. */
export function readCheckpoint(path: string): LoadedCheckpoint {
  const file = checkpointPath(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read checkpoint ${file}: ${code === 'ENOENT' ? 'no such file (train first, or give --checkpoint a run folder or .safetensors file)' : code ?? (e as Error).message}`);
  }
  const corrupt = (why: string): never => {
    throw new UsageError(`corrupt checkpoint ${file}: ${why}`);
  };
  let all: Record<string, Tensor>;
  try {
    all = sn.io.loadSafetensors(bytes);
  } catch (e) {
    return corrupt((e as Error).message);
  }
  const weights: Record<string, Tensor> = {};
  const optimizerTensors: Record<string, Record<string, Tensor>> = {};
  for (const [name, t] of Object.entries(all)) {
    if (name.startsWith(OPT_PREFIX)) {
      const rest = name.slice(OPT_PREFIX.length);
      const dot = rest.indexOf('.');
      (optimizerTensors[rest.slice(0, dot)] ??= {})[rest.slice(dot + 1)] = t;
    } else weights[name] = t;
  }
  const dispose = () => Object.values(all).forEach((t) => t.dispose());
  let state: RunState | null = null;
  try {
    const meta = readMetadata(bytes);
    if (meta?.format !== undefined) {
      if (meta.format !== FORMAT) corrupt(`format '${meta.format}' is not ${FORMAT}`);
      try {
        state = decode(meta.state ?? '') as RunState;
      } catch {
        corrupt('its run state (__metadata__.state) is not valid JSON');
      }
      if (!state || typeof state.model !== 'string' || !state.progress || !state.preprocess || !Array.isArray(state.classes)) corrupt('its run state lacks model, classes, preprocess or progress');
    }
  } catch (e) {
    dispose();
    throw e;
  }
  return { path: file, state, weights, optimizerTensors, dispose };
}

/** The `__metadata__` object of a safetensors file whose header loadSafetensors already checked. */
function readMetadata(bytes: Uint8Array): Record<string, string> | null {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  return (header.__metadata__ as Record<string, string>) ?? null;
}

/** Puts the saved optimizer state back (tensors from the file, numbers and groups from the run state). */
export function restoreOptimizer(optimizer: sn.optim.Optimizer<{ lr: number }>, ck: LoadedCheckpoint): void {
  const saved = ck.state?.optimizer;
  if (!saved) return;
  const state: OptimizerStateDict['state'] = {};
  const ids = new Set([...Object.keys(saved.numbers), ...Object.keys(ck.optimizerTensors)]);
  for (const idx of ids) state[Number(idx)] = { ...saved.numbers[idx], ...ck.optimizerTensors[idx] };
  try {
    optimizer.loadStateDict({ state, paramGroups: saved.paramGroups });
  } catch (e) {
    throw new UsageError(`corrupt checkpoint ${ck.path}: optimizer state does not fit: ${(e as Error).message}`);
  }
}
