// The demo's ONNX worker: `simdnn/onnx`'s loadOnnx runs a model the user opens
// (bundled from src/onnx/ with the core it shares, protobufjs included), and
// classifies the drawn digit or an image file (decoded here with
// sn.data.decodeImageBlob: createImageBitmap + OffscreenCanvas) at the
// model's declared input size. A worker of its own, started at the first
// .onnx file, so the page's training worker stays as small as it was.
import * as sn from '../../src/index.js';
import { loadOnnx, type OnnxGraphModule } from '../../src/onnx/index.js';
import type { Feed, FromOnnxWorker, Normalization, OnnxSource, OnnxSummary, ToOnnxWorker } from './onnx-protocol.js';

/** The largest declared batch the demo fills (with copies of the one image). */
const MAX_BATCH = 64;
const MAX_SIDE = 2048;
/** Mean and std, one number for every channel or one per channel (ImageNet's gray: its channels' averages). */
type Stats = number | number[];
const NORMS: Record<Normalization, { 3: [Stats, Stats]; 1: [Stats, Stats] }> = {
  unit: { 3: [0, 1], 1: [0, 1] },
  imagenet: { 3: [[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]], 1: [0.449, 0.226] },
  mnist: { 3: [0.1307, 0.3081], 1: [0.1307, 0.3081] },
  symmetric: { 3: [0.5, 0.5], 1: [0.5, 0.5] },
};

const post = (m: FromOnnxWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let model: OnnxGraphModule | null = null;
let feed: Feed | { problem: string } = { problem: 'no model open' };

const fmt = (dims: (number | null)[]) => `[${dims.map((d) => d ?? '?').join(', ')}]`;

/** The one [N, C, H, W] image input the demo can fill, or why this model's inputs are not that. */
function feedOf(m: OnnxGraphModule): Feed | { problem: string } {
  if (m.inputNames.length !== 1) return { problem: `the model has ${m.inputNames.length} inputs (${m.inputNames.join(', ')}); the demo feeds one image` };
  const name = m.inputNames[0], dims = m.inputDims[0];
  if (dims === null) return { problem: `input '${name}' declares no shape; the demo needs [N, C, H, W] with fixed C, H, W` };
  if (dims.length !== 4) return { problem: `input '${name}' is ${fmt(dims)}; the demo feeds images as [N, C, H, W] (NCHW)` };
  const [n, c, h, w] = dims;
  if (c !== 1 && c !== 3) return { problem: `input '${name}' is ${fmt(dims)}: ${c ?? 'a variable number of'} channels; the demo feeds 1 (gray) or 3 (RGB)` };
  if (h === null || w === null) return { problem: `input '${name}' is ${fmt(dims)}: its height and width are not fixed; the demo needs the size the model was exported with` };
  if (h > MAX_SIDE || w > MAX_SIDE) return { problem: `input '${name}' is ${fmt(dims)}: larger than the demo's ${MAX_SIDE}x${MAX_SIDE}` };
  if (n !== null && n > MAX_BATCH) return { problem: `input '${name}' is ${fmt(dims)}: a fixed batch of ${n}, more than the demo's ${MAX_BATCH}` };
  return { batch: n ?? 1, channels: c, height: h, width: w };
}

function open(bytes: ArrayBuffer, name: string): void {
  let next: OnnxGraphModule;
  try {
    next = loadOnnx(new Uint8Array(bytes));
  } catch (e) {
    post({ type: 'openFailed', name, message: e instanceof Error ? e.message : String(e) });
    return;
  }
  // The previous model's weights go back to the wasm heap.
  if (model !== null) for (const t of Object.values(model.stateDict())) t.dispose();
  model = next;
  model.eval();
  feed = feedOf(model);
  const ops = new Map<string, number>();
  for (const n of model.nodes) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  const summary: OnnxSummary = {
    name,
    opset: model.opset,
    inputs: model.inputNames.map((n, i) => ({ name: n, dims: model!.inputDims[i] })),
    outputs: [...model.outputNames],
    nodes: model.nodes.length,
    ops: [...ops].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    params: model.parameters().reduce((s, p) => s + p.size, 0),
    feed,
  };
  post({ type: 'opened', summary });
}

/** The source as a [C, H, W] image in [0, 1] at the feed's size. */
async function toImage(source: OnnxSource, f: Feed): Promise<sn.data.Image> {
  if (source.kind === 'image') {
    const name = (source.file as File).name || 'image';
    return sn.data.decodeImageBlob(source.file, { channels: f.channels, resize: [f.height, f.width], name });
  }
  // The drawn digit (MNIST-like, 28x28): bilinear to the model's size, gray copied to RGB if it wants 3 channels.
  const gray = sn.data.resizeTo(sn.data.image(1, source.height, source.width, source.data), f.height, f.width);
  if (f.channels === 1) return gray;
  const plane = f.height * f.width;
  const rgb = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) rgb.set(gray.data, c * plane);
  return sn.data.image(3, f.height, f.width, rgb);
}

async function classify(source: OnnxSource, norm: Normalization): Promise<void> {
  if (model === null) throw new Error('open an .onnx model first');
  if ('problem' in feed) throw new Error(`cannot feed this model: ${feed.problem}`);
  const f = feed;
  const img = await toImage(source, f);
  const seen = img.data.slice();
  const [mean, std] = NORMS[norm][f.channels];
  const input = sn.data.normalize(img, mean, std).data.slice();
  // The declared batch, filled with copies (a model exported with a fixed batch folded it into its reshapes).
  const batch = new Float32Array(f.batch * input.length);
  for (let i = 0; i < f.batch; i++) batch.set(input, i * input.length);
  const m = model;
  const { output, probs, softmaxed } = sn.tidy(() => sn.noGrad(() => {
    const y = m.forward(sn.tensor(batch, [f.batch, f.channels, f.height, f.width]));
    const out = Array.isArray(y) ? y[0] : y;
    const s = out.shape;
    const classes = s[1];
    if (!(s.length >= 2 && s[0] === f.batch && s.slice(2).every((d) => d === 1))) {
      throw new Error(`the model's output '${m.outputNames[0]}' is [${s.join(', ')}]; the demo classifies with an [N, classes] output`);
    }
    const row = out.toFloat32Array().slice(0, classes);
    // Already a distribution (a softmax at the end): shown as it is; otherwise softmax (log-probabilities and logits alike).
    let sum = 0;
    for (const v of row) sum += v;
    const isDistribution = row.every((v) => v >= 0) && Math.abs(sum - 1) < 1e-3;
    const p = isDistribution ? row.slice() : sn.F.softmax(sn.tensor(row, [1, classes]), 1).toFloat32Array();
    return { output: row, probs: p, softmaxed: !isDistribution };
  }));
  post({ type: 'classified', seen, input, output, probs, softmaxed, feed: f }, [seen.buffer, input.buffer, output.buffer, probs.buffer]);
}

self.onmessage = async (e: MessageEvent<ToOnnxWorker>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'init':
        await sn.init({ threads: m.threads, simd: m.simd });
        post({ type: 'ready' });
        break;
      case 'open': open(m.bytes, m.name); break;
      case 'classify': await classify(m.source, m.norm); break;
    }
  } catch (err) {
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
};
