// The CLI's ONNX commands: predict with an .onnx model, summary of an .onnx
// file, export of a zoo checkpoint to .onnx (simdnn/onnx's loadOnnx/saveOnnx).
import { readFileSync, writeFileSync } from 'node:fs';
import * as sn from '../index.js';
import { decodeImageFile } from '../data/node/index.js';
import { loadOnnx, saveOnnx, type OnnxGraphModule } from '../onnx/index.js';
import type { Parsed } from './args.js';
import { loadModel } from './load-model.js';
import { modelEntry } from './models.js';
import { fitPreprocess, predictTransform } from './preprocess.js';
import type { Io } from './progress.js';
import { pct } from './train.js';
import { UsageError, explain } from './usage-error.js';

/** Loads an .onnx file, with load errors (SimdnnError) as usage errors naming the file. */
export function readOnnx(path: string): OnnxGraphModule {
  const bytes = explain(`cannot read ${path}`, () => new Uint8Array(readFileSync(path)));
  try {
    return loadOnnx(bytes);
  } catch (e) {
    if (e instanceof sn.SimdnnError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

/** One image's [C, H, W] from the model's declared input, where it is static. */
function imageInput(m: OnnxGraphModule, path: string): [number, number, number] {
  const dims = m.inputDims[0];
  if (m.inputNames.length !== 1 || !dims || dims.length !== 4 || dims.slice(1).some((d) => d === null)) {
    throw new UsageError(`${path}: expected one image input [N, C, H, W] with static C, H, W, got ${m.inputNames.length} input(s) ${JSON.stringify(dims)}`);
  }
  return dims.slice(1) as [number, number, number];
}

/** `simdnn predict IMAGE... --onnx model.onnx`: ImageNet-style preprocessing to the model's input size, top classes. */
export async function predictOnnx(p: Parsed, io: Io, path: string): Promise<number> {
  if (p.positional.length === 0) throw new UsageError('predict: give one or more PNG/JPEG files: simdnn predict cat.jpg --onnx model.onnx');
  const m = readOnnx(path);
  m.eval();
  const input = imageInput(m, path);
  const pre = fitPreprocess('onnx', input, null, 'images');
  const fit = predictTransform(pre);
  for (const file of p.positional) {
    const img = explain(`cannot read image ${file}`, () => fit(decodeImageFile(file, input[0] === 1 ? 1 : 3)));
    const probs = sn.tidy(() => sn.noGrad(() => {
      const y = m.forward(sn.tensor(img.data.slice(), [1, img.channels, img.height, img.width])) as sn.Tensor;
      return sn.F.softmax(y.reshape([1, -1]), 1).toFloat32Array();
    }));
    const top = Math.min(p.opts.top as number, probs.length);
    const ranked = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b).slice(0, top);
    io.out.write(`${file}: ${ranked.map((c) => `class ${c} ${pct(probs[c])}`).join(', ')}\n`);
  }
  m.dispose();
  return 0;
}

/** `simdnn summary model.onnx`: the nodes forward runs, their output shapes, and the parameters. */
export async function summaryOnnx(p: Parsed, io: Io, path: string): Promise<number> {
  const m = readOnnx(path);
  m.eval();
  const given = p.opts.input as number[] | undefined;
  const dims = m.inputDims[0];
  const shape = given ? [1, ...given] : dims?.map((d, i) => (i === 0 ? 1 : d === null ? NaN : d));
  if (!shape || shape.some((d) => !Number.isInteger(d))) throw new UsageError(`${path}: the input shape is not static; give one image's shape with --input C,H,W`);
  const shapes = explain(`${path} does not run on input ${shape.join('x')}`, () => m.valueShapes(sn.zeros(shape)));
  const rows = m.nodes.map((n) => [n.name, n.opType, n.outputs.filter(Boolean).map((o) => `[${(shapes.get(o) ?? []).join(',')}]`).join(' ')]);
  const w = [0, 1].map((k) => Math.max(4, ...rows.map((r) => r[k].length)));
  const params = m.parameters().reduce((s, t) => s + t.size, 0);
  const buffers = m.buffers().reduce((s, t) => s + t.size, 0);
  io.out.write(`${path}: opset ${m.opset}, input ${m.inputNames[0]} [${shape.join(',')}], ${m.nodes.length} nodes\n`);
  io.out.write(`${'node'.padEnd(w[0])}  ${'op'.padEnd(w[1])}  output\n`);
  for (const r of rows) io.out.write(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}\n`);
  io.out.write(`parameters: ${params.toLocaleString('en-US')} (trainable), buffers: ${buffers.toLocaleString('en-US')}\n`);
  m.dispose();
  return 0;
}

/** `simdnn export --model NAME --checkpoint RUN --out model.onnx`. */
export async function exportCommand(p: Parsed, io: Io): Promise<number> {
  const ck = p.opts.checkpoint as string | undefined;
  const out = p.opts.out as string | undefined;
  if (ck === undefined || out === undefined) throw new UsageError('export: --checkpoint RUN_DIR (or a .safetensors file) and --out FILE.onnx are required');
  const m = loadModel(ck, p.opts.model as string | undefined);
  const input = [1, ...modelEntry(m.name).input];
  const bytes = saveOnnx(m.model, { inputShape: input, opset: p.opts.opset as number });
  writeFileSync(out, bytes);
  io.out.write(`${m.name} from ${m.path} -> ${out} (ONNX opset ${p.opts.opset}, input [${input.join(',')}], ${(bytes.length / 1e6).toFixed(1)} MB)\n`);
  m.model.dispose();
  return 0;
}
