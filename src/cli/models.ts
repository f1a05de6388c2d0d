import * as sn from '../index.js';
import type { Module } from '../nn/module.js';
import { onnxModelEntry } from './onnx-model.js';
import { UsageError } from './usage-error.js';

/** How ModelEntry.build shapes the model beyond its class count. */
export interface BuildOptions {
  newHead?: boolean;
  auxLogits?: boolean;
}

/** A zoo model the CLI can build: its constructor and the input one image must have. */
export interface ModelEntry {
  /**
   * `numClasses` undefined: the zoo's default (10 for lenet5, 1000 for the ImageNet models).
   * `opts.newHead` (ONNX files only, `--replace-head`): a new classifier even when the file has `numClasses` outputs.
   * `opts.auxLogits`: with the auxiliary classifiers, for the models that have them (`auxHeads`).
   */
  build(numClasses: number | undefined, seed: number, opts?: BuildOptions): Module;
  /** GoogLeNet: built with `auxLogits` it returns { logits, aux1, aux2 } in training mode. */
  auxHeads?: true;
  /** [channels, height, width] of one input image. */
  input: [number, number, number];
}

const m = () => sn.models;
const rgb224: [number, number, number] = [3, 224, 224];

/** The command-line names of the zoo's models (sn.models, API.md). */
export const MODELS: Record<string, ModelEntry> = {
  lenet5: { build: (numClasses, seed) => m().lenet5({ numClasses, seed }), input: [1, 32, 32] },
  alexnet: { build: (numClasses, seed) => m().alexnet({ numClasses, seed }), input: rgb224 },
  'alexnet-original': { build: (numClasses, seed) => m().alexnet({ numClasses, seed, variant: 'original' }), input: [3, 227, 227] },
  ...Object.fromEntries((['vgg11', 'vgg13', 'vgg16', 'vgg19'] as const).flatMap((name) => [
    [name, { build: (numClasses: number | undefined, seed: number) => m()[name]({ numClasses, seed }), input: rgb224 }],
    [`${name}-bn`, { build: (numClasses: number | undefined, seed: number) => m()[name]({ numClasses, seed, batchNorm: true }), input: rgb224 }],
  ])),
  googlenet: { build: (numClasses, seed, opts) => m().googlenet({ numClasses, seed, auxLogits: !!opts?.auxLogits }), input: rgb224, auxHeads: true },
  'googlenet-original': { build: (numClasses, seed, opts) => m().googlenet({ numClasses, seed, variant: 'original', auxLogits: !!opts?.auxLogits }), input: rgb224, auxHeads: true },
  ...Object.fromEntries((['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const).map((name) => [
    name, { build: (numClasses: number | undefined, seed: number) => m()[name]({ numClasses, seed }), input: rgb224 },
  ])),
};

/** The entry for `name`, or a UsageError listing the valid names. */
export function modelEntry(name: string | undefined): ModelEntry {
  if (name !== undefined && name.endsWith('.onnx')) return onnxModelEntry(name);
  const e = name === undefined ? undefined : MODELS[name];
  if (!e) throw new UsageError(`${name === undefined ? 'no model given' : `unknown model '${name}'`} (valid: ${Object.keys(MODELS).join(', ')}, or a FILE.onnx)`);
  return e;
}
