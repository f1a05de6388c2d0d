import type { Module } from '../nn/module.js';
import { readCheckpoint, type RunState } from './checkpoint.js';
import { modelEntry } from './models.js';
import { fitPreprocess, type Preprocess } from './preprocess.js';
import { UsageError } from './usage-error.js';

export interface LoadedModel {
  model: Module;
  name: string;
  classes: string[];
  preprocess: Preprocess;
  state: RunState | null;
  path: string;
}

/**
 * The model of a checkpoint (a run folder or .safetensors file), in eval
 * mode. A plain weights file has no run state: `--model` names the
 * architecture and the classes are numbered.
 */
export function loadModel(checkpoint: string, modelName?: string): LoadedModel {
  const ck = readCheckpoint(checkpoint);
  try {
    const state = ck.state;
    const name = state?.model ?? modelName;
    if (name === undefined) throw new UsageError(`${ck.path} holds weights only (no simdnn run state): say which model with --model`);
    if (state && modelName !== undefined && modelName !== state.model) throw new UsageError(`${ck.path} holds a ${state.model}, not a ${modelName}`);
    const entry = modelEntry(name);
    // Without run state, the class count is the last layer's output size (its bias length).
    const lastBias = Object.entries(ck.weights).filter(([k]) => k.endsWith('.bias')).pop();
    const numClasses = state?.classes.length ?? lastBias?.[1].size;
    if (!numClasses) throw new UsageError(`corrupt checkpoint ${ck.path}: cannot tell the number of classes`);
    // An ONNX model trained with --replace-head has a new head even when the class count is the file's own.
    const newHead = state ? state.config.replaceHead !== undefined : name.endsWith('.onnx') && 'head.weight' in ck.weights && Object.keys(ck.weights).some((k) => k.startsWith('body.'));
    // A GoogLeNet trained with its recipe keeps its auxiliary heads' weights (resume needs them); in eval mode they do not run.
    const auxLogits = entry.auxHeads === true && Object.keys(ck.weights).some((k) => k.startsWith('aux1.'));
    const model = entry.build(numClasses, 0, { newHead, auxLogits });
    try {
      model.loadStateDict(ck.weights);
    } catch (e) {
      model.dispose();
      throw new UsageError(`${state ? 'corrupt checkpoint ' : ''}${ck.path}: the weights do not fit ${name}: ${(e as Error).message}`);
    }
    model.eval();
    const classes = state?.classes ?? Array.from({ length: numClasses }, (_, i) => String(i));
    const preprocess = state?.preprocess ?? fitPreprocess(name, entry.input, null, 'images');
    return { model, name, classes, preprocess, state, path: ck.path };
  } finally {
    ck.dispose();
  }
}
