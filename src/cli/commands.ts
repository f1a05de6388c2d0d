import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sn from '../index.js';
import { decodeImageFile } from '../data/node/index.js';
import type { Parsed } from './args.js';
import { evenSubset, loadData } from './datasets.js';
import { evaluate, evaluateViews } from './evaluate.js';
import { viewsTransform } from './recipes.js';
import { loadModel } from './load-model.js';
import { modelEntry } from './models.js';
import { evalDecodeSize, fitPreprocess, predictTransform } from './preprocess.js';
import type { Io } from './progress.js';
import { pct } from './train.js';
import { UsageError, explain } from './usage-error.js';
import { benchLenet } from './bench-lenet.js';
import { REPORT_FILES, writeReport } from './report/write-report.js';

/** `simdnn eval`: loss and top-1/top-5 accuracy of a checkpoint on held-out data. */
export async function evalCommand(p: Parsed, io: Io): Promise<number> {
  const ck = p.opts.checkpoint as string | undefined;
  if (ck === undefined) throw new UsageError('eval: --checkpoint RUN_DIR (or a .safetensors file) is required');
  const m = loadModel(ck, p.opts.model as string | undefined);
  const spec = (p.opts.data as string | undefined) ?? (m.state?.config.data as string | undefined) ?? 'mnist';
  const entry = modelEntry(m.name);
  const tenCrop = p.opts.tenCrop === true, multiScale = p.opts.multiScale === true;
  const pp = m.preprocess;
  if ((tenCrop || multiScale) && pp.size[0] !== pp.size[1]) throw new UsageError(`eval: --ten-crop and --multi-scale need square inputs; ${m.name} takes ${pp.size.join('x')}`);
  const crop = pp.size[0];
  // VGG's test scales Q ∈ {256, 384, 512} for 224 crops (scaled with the crop); one scale: the run's evaluation size.
  const scales = multiScale ? [256, 384, 512].map((q) => Math.round((q * crop) / 224)) : [pp.recipe ? pp.recipe.evalResize : Math.round((256 * crop) / 224)];
  const averaged = tenCrop || multiScale;
  const data = loadData(spec, entry.input[0] === 1 ? 1 : 3, { resize: averaged ? Math.max(...scales) : evalDecodeSize(pp) });
  if (data.classes.length !== m.classes.length) throw new UsageError(`${spec} has ${data.classes.length} classes but ${m.path} was trained on ${m.classes.length}`);
  // The checkpoint's preprocessing, checked against this data's shape (a channel mismatch is reported here).
  if (data.shape) fitPreprocess(m.name, entry.input, data.shape, data.kind);
  const test = evenSubset(data.test, (p.opts.testSize as number) ?? 0);
  const r = averaged
    ? await evaluateViews(m.model, test, viewsTransform(crop, scales, tenCrop, pp.mean, pp.std), p.opts.batchSize as number)
    : await evaluate(m.model, test, m.preprocess, p.opts.batchSize as number);
  const how = averaged ? `, softmax averaged over ${tenCrop ? 'ten crops' : 'the centre crop'} at ${scales.length === 1 ? `scale ${scales[0]}` : `scales ${scales.join(', ')}`}` : '';
  io.out.write(`${m.name} from ${m.path} on ${spec} (${data.kind}, ${r.count} held-out images${how}): accuracy ${pct(r.accuracy)}, top-5 ${pct(r.top5)}, loss ${r.loss.toFixed(4)}\n`);
  m.model.dispose();
  return 0;
}

/** `simdnn predict IMAGE...`: the five most probable classes of each image. */
export async function predictCommand(p: Parsed, io: Io): Promise<number> {
  const ck = p.opts.checkpoint as string | undefined;
  if (ck === undefined) throw new UsageError('predict: --checkpoint RUN_DIR (or a .safetensors file) is required');
  if (p.positional.length === 0) throw new UsageError('predict: give one or more PNG/JPEG files: simdnn predict digit.png --checkpoint run/');
  const m = loadModel(ck, p.opts.model as string | undefined);
  const fit = predictTransform(m.preprocess);
  const top = Math.min(p.opts.top as number, m.classes.length);
  for (const file of p.positional) {
    const img = explain(`cannot read image ${file}`, () => fit(decodeImageFile(file, m.preprocess.channels === 1 ? 1 : 3)));
    const probs = sn.tidy(() => sn.noGrad(() => {
      const x = sn.tensor(img.data.slice(), [1, img.channels, img.height, img.width]);
      return sn.F.softmax(m.model.forward(x) as sn.Tensor, 1).toFloat32Array();
    }));
    const ranked = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b).slice(0, top);
    io.out.write(`${file}: ${ranked.map((c) => `${m.classes[c]} ${pct(probs[c])}`).join(', ')}\n`);
  }
  m.model.dispose();
  return 0;
}

/** `simdnn summary MODEL`: the layer table (output shapes, parameters, activations, MACs). */
export async function summaryCommand(p: Parsed, io: Io): Promise<number> {
  const name = p.positional[0] ?? (p.opts.model as string | undefined);
  if (p.positional.length > 1) throw new UsageError(`summary: one model at a time, got ${p.positional.join(' ')}`);
  const entry = modelEntry(name);
  const input = (p.opts.input as number[] | undefined) ?? entry.input;
  if (input.length !== 3) throw new UsageError(`summary: --input is C,H,W (three numbers, e.g. ${entry.input.join(',')}), got ${input.join(',')}`);
  const model = entry.build(p.opts.classes as number | undefined, 0);
  try {
    const s = explain(`${name} does not take ${input.join('x')} input (it expects ${entry.input.join('x')})`, () => sn.summary(model, [1, ...input]));
    const classes = s.rows.length > 0 ? s.rows[s.rows.length - 1].outputShape.slice(1).reduce((a, b) => a * b, 1) : 0;
    io.out.write(`${name}, input ${input.join('x')}, ${classes} classes\n${s.toString()}\n`);
  } finally {
    model.dispose();
  }
  return 0;
}

/** The checkout's bench/run.mjs, found from this file (dist/cli.js -> ../bench/run.mjs), if it is there. */
function benchRunner(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', join('..', '..')]) {
    const f = join(here, up, 'bench', 'run.mjs');
    if (existsSync(f)) return f;
  }
  return null;
}

/** `simdnn bench [SUITE...]`: the checkout's benchmark suites, or a built-in LeNet-5 training measurement. */
export async function benchCommand(p: Parsed, io: Io): Promise<number> {
  const runner = p.opts.builtin ? null : benchRunner();
  if (runner) {
    io.out.write(`running the benchmark suites of this checkout: node ${join(basename(dirname(runner)), 'run.mjs')} ${p.positional.join(' ')}\n`);
    sn.shutdown(); // the suites start their own thread pools
    const r = spawnSync(process.execPath, [runner, ...p.positional], { stdio: 'inherit' });
    return r.status ?? 1;
  }
  if (p.positional.length) throw new UsageError(`bench: no bench/ folder in this installation, so no suites (${p.positional.join(', ')}); run without names for the built-in LeNet-5 measurement`);
  const why = p.opts.builtin ? '--builtin' : 'no bench/ suites in this installation';
  io.out.write(`${why}: measuring LeNet-5 training throughput (built-in, batch 64, 28x28 digits padded to 32x32, SGD momentum 0.9)\n`);
  await benchLenet(io, p.opts.seconds as number);
  return 0;
}

export { fitPreprocess };

/** `simdnn report RUN`: rebuilds RUN/report.html and its PNG files from the checkpoint (one validation pass for the confusion matrix). */
export async function reportCommand(p: Parsed, io: Io): Promise<number> {
  const dir = p.positional[0] ?? (p.opts.checkpoint as string | undefined);
  if (dir === undefined || p.positional.length > 1) throw new UsageError('report: give one run folder: simdnn report RUN_DIR');
  const m = loadModel(dir, undefined);
  try {
    if (!m.state) throw new UsageError(`report: ${m.path} holds weights only; the report needs a run's checkpoint (its history and data)`);
    const cfg = m.state.config;
    const entry = modelEntry(m.name);
    const data = loadData(String(cfg.data), entry.input[0] === 1 ? 1 : 3, { resize: evalDecodeSize(m.preprocess) });
    const test = evenSubset(data.test, Number(cfg.testSize) || 0);
    const val = await evaluate(m.model, test, m.preprocess, p.opts.batchSize as number);
    const out = statSync(dir).isDirectory() ? dir : dirname(dir);
    const path = await writeReport({ dir: out, title: `${m.name} on ${String(cfg.data)}`, config: cfg, history: m.state.history, classes: m.classes, model: m.model, validation: val, test });
    io.out.write(`wrote ${path} and ${REPORT_FILES.filter((f) => f.endsWith('.png')).join(', ')} (validation accuracy ${pct(val.accuracy)} on ${val.count} images)\n`);
    return 0;
  } finally {
    m.model.dispose();
  }
}
