import type { OptionSpecs } from './args.js';

/** `simdnn train` options. lr, momentum and weight decay default per optimizer (see OPTIMIZER_DEFAULTS). */
export const TRAIN_OPTIONS: OptionSpecs = {
  recipe: { kind: 'string', help: "a paper's training setup (docs/recipes.md): data pipeline, optimizer, weight decay, schedule, model; any option given as well overrides it", choices: ['alexnet', 'vgg', 'googlenet', 'resnet'] },
  crop: { kind: 'int', help: "with --recipe: the input crop (default the model's 224); the recipe's other sizes scale with it (small data, small images)" },
  model: { kind: 'string', help: 'model to train (a zoo name or a FILE.onnx)', value: 'NAME', default: 'lenet5' },
  onnx: { kind: 'string', help: "fine-tune an ONNX model (same as --model FILE.onnx); when the data has another number of classes, its last Gemm's input gets a new Linear head", value: 'FILE' },
  replaceHead: { kind: 'int', help: 'with an ONNX model: replace its classifier (the last Gemm, or MatMul + Add) by a new N-class Linear layer even when the file already has N outputs; the data must have N classes', value: 'N' },
  freeze: { kind: 'string', help: 'do not train parameters whose names start with one of these prefixes (comma-separated, e.g. features.,layer1.)', value: 'PREFIX' },
  data: { kind: 'string', help: "'mnist' (the embedded digits) or a folder: MNIST IDX files, CIFAR-10 batches, CIFAR-100 train.bin/test.bin, or images in class sub-folders", value: 'mnist|DIR', default: 'mnist' },
  epochs: { kind: 'int', help: 'passes over the training data', default: 10 },
  batchSize: { kind: 'int', help: 'images per step', default: 64 },
  optimizer: { kind: 'string', help: 'update rule', choices: ['sgd', 'adam', 'adamw'], default: 'sgd' },
  lr: { kind: 'number', help: 'learning rate (default: sgd 0.03, adam/adamw 0.001)' },
  momentum: { kind: 'number', help: 'SGD momentum (default 0.9)' },
  weightDecay: { kind: 'number', help: 'L2 penalty; decoupled for adamw (default: sgd 5e-4, adam 0, adamw 0.01)' },
  lrStep: { kind: 'int', help: 'step schedule: epochs between lr changes (default: a third of the epochs)', default: 0 },
  lrGamma: { kind: 'number', help: 'step schedule: the lr factor at each step', default: 0.1 },
  schedule: { kind: 'string', help: 'learning-rate schedule per epoch: step = x(--lr-gamma) every --lr-step epochs (default x0.1 every third of the epochs), cosine to 0, plateau = x0.1 when the test loss stops falling for 2 epochs', choices: ['none', 'step', 'cosine', 'plateau'], default: 'cosine' },
  augment: { kind: 'bool', help: 'random shifts of ±1/16 of the side (and horizontal flips for colour images)', default: false },
  threads: { kind: 'string', help: "worker threads: a number or 'auto'", value: 'N|auto', default: 'auto' },
  seed: { kind: 'int', help: 'seeds the initial weights, the data order and augmentation', default: 1 },
  out: { kind: 'string', help: 'run folder: checkpoint.safetensors, metrics.json, metrics.csv', value: 'DIR', default: 'run' },
  resume: { kind: 'string', help: 'continue the run saved in this folder, exactly as if it had not stopped (other options come from the checkpoint; --epochs may extend it)', value: 'DIR' },
  trainSize: { kind: 'int', help: 'train on this many examples spread over the training set (0: all)', default: 0 },
  testSize: { kind: 'int', help: 'validate on this many held-out examples (0: all)', default: 0 },
  evalBatchSize: { kind: 'int', help: 'images per batch when validating', default: 500 },
  dataWorkers: { kind: 'int', help: 'worker threads decoding (sharp) and augmenting an image folder while training (0: decode on the main thread)', default: 1 },
  skipBadImages: { kind: 'bool', help: 'report a corrupt or truncated image once and use the next one instead of stopping', default: false },
  verbose: { kind: 'bool', help: 'print stack traces of errors' },
};

/** Options a resumed run may change; the others must come from the checkpoint so the trajectory is the same. */
export const RESUME_MAY_SET = new Set(['resume', 'epochs', 'threads', 'out', 'verbose', 'evalBatchSize', 'dataWorkers', 'skipBadImages']);

export const OPTIMIZER_DEFAULTS: Record<string, { lr: number; momentum: number; weightDecay: number }> = {
  sgd: { lr: 0.03, momentum: 0.9, weightDecay: 5e-4 },
  adam: { lr: 0.001, momentum: 0, weightDecay: 0 },
  adamw: { lr: 0.001, momentum: 0, weightDecay: 0.01 },
};

/** What a run is: saved in the checkpoint and the metrics log. */
export interface TrainConfig {
  model: string;
  data: string;
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'adam' | 'adamw';
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: 'none' | 'step' | 'cosine' | 'plateau';
  augment: boolean;
  seed: number;
  trainSize: number;
  testSize: number;
  /** Comma-separated parameter-name prefixes that are not trained (absent in older checkpoints). */
  freeze?: string;
  /** --replace-head N: an ONNX model's classifier was replaced by a new N-class Linear layer (absent: only when the class counts differ). */
  replaceHead?: number;
  /** '' or the --recipe name; crop: its input size (0 without a recipe). */
  recipe: string;
  crop: number;
  lrStep: number;
  lrGamma: number;
}

/** Values of fields added after the first checkpoints, for runs saved without them. */
export const CONFIG_ADDED: Partial<TrainConfig> = { recipe: '', crop: 0, lrStep: 0, lrGamma: 0.1 };
