// Messages between the page's ONNX card (onnx-card.ts) and the worker that runs
// simdnn/onnx (onnx-worker.ts).

/** How the demo feeds a model: one image [channels, height, width], repeated to the declared batch. */
export interface Feed {
  batch: number;
  channels: 1 | 3;
  height: number;
  width: number;
}

export interface OnnxSummary {
  name: string;
  opset: number;
  inputs: { name: string; dims: (number | null)[] | null }[];
  outputs: string[];
  /** Nodes the forward runs (after folding the shape subgraphs at load). */
  nodes: number;
  /** Op types and how many nodes of each, most frequent first. */
  ops: [string, number][];
  params: number;
  /** The input the demo can feed, or why it cannot. */
  feed: Feed | { problem: string };
}

export type Normalization = 'unit' | 'imagenet' | 'mnist' | 'symmetric';

/** What to classify: the drawn digit (MNIST-like 28x28 in [0, 1]) or an image file. */
export type OnnxSource = { kind: 'drawing'; data: Float32Array; width: number; height: number } | { kind: 'image'; file: Blob };

export type ToOnnxWorker =
  | { type: 'init'; threads: number | 'auto'; simd: 'auto' | 'baseline' | 'relaxed' }
  | { type: 'open'; bytes: ArrayBuffer; name: string }
  | { type: 'classify'; source: OnnxSource; norm: Normalization };

export type FromOnnxWorker =
  | { type: 'ready' }
  | { type: 'opened'; summary: OnnxSummary }
  | { type: 'openFailed'; name: string; message: string }
  /**
   * `seen`: the image in [0, 1] before normalisation (for the preview); `input`: the
   * normalised image fed (batch row 0); `output`: the model's row 0; `probs`:
   * softmax(output), or output itself where it already is a distribution.
   */
  | { type: 'classified'; seen: Float32Array; input: Float32Array; output: Float32Array; probs: Float32Array; softmaxed: boolean; feed: Feed }
  | { type: 'failed'; message: string };
