// An ONNX file as a model the CLI can train, evaluate and export: `--model
// file.onnx` (or `train --onnx file.onnx`). When the data has another number of
// classes than the file's output, or `--replace-head N` asks for it, the head is
// replaced: the graph is cut at the input of its last Gemm or MatMul (the
// classifier; a MatMul's bias Add goes with it) and a new Linear layer goes on top.
import { readFileSync } from 'node:fs';
import * as sn from '../index.js';
import type { Module } from '../nn/module.js';
import { loadOnnx, type OnnxGraphModule } from '../onnx/index.js';
import type { BuildOptions, ModelEntry } from './models.js';
import { UsageError, explain } from './usage-error.js';

class NewHead extends sn.nn.Module {
  static override readonly typeName: string = 'OnnxWithNewHead';
  readonly body: OnnxGraphModule;
  readonly head: sn.nn.Linear;
  constructor(body: OnnxGraphModule, features: number, classes: number, seed: number) {
    super();
    this.body = this.registerModule('body', body);
    this.head = this.registerModule('head', new sn.nn.Linear(features, classes, { seed }));
  }
  forward(x: sn.Tensor): sn.Tensor {
    return this.head.forward((this.body.forward(x) as sn.Tensor).reshape([x.shape[0], -1]));
  }
}

function load(path: string, outputs?: string[]): OnnxGraphModule {
  const bytes = explain(`cannot read ${path}`, () => new Uint8Array(readFileSync(path)));
  try {
    return loadOnnx(bytes, outputs ? { outputs } : {});
  } catch (e) {
    if (e instanceof sn.SimdnnError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

export function onnxModelEntry(path: string): ModelEntry {
  const probe = load(path);
  const dims = probe.inputDims[0];
  if (probe.inputNames.length !== 1 || !dims || dims.length !== 4 || dims.slice(1).some((d) => d === null)) {
    probe.dispose();
    throw new UsageError(`${path}: expected one image input [N, C, H, W] with static C, H, W, got ${JSON.stringify(dims)}`);
  }
  const input = dims.slice(1) as [number, number, number];
  const shapes = probe.valueShapes(sn.zeros([1, ...input]));
  const outShape = shapes.get(probe.outputNames[0]) ?? [];
  const classes = outShape.slice(1).reduce((a, b) => a * b, 1);
  const lastGemm = [...probe.nodes].reverse().find((n) => n.opType === 'Gemm' || n.opType === 'MatMul');
  probe.dispose();
  return {
    input,
    build(numClasses: number | undefined, seed: number, opts?: BuildOptions): Module {
      const newHead = opts?.newHead ?? false;
      if (!newHead && (numClasses === undefined || numClasses === classes)) return load(path);
      if (!lastGemm) {
        throw new UsageError(newHead
          ? `${path}: --replace-head needs a Gemm/MatMul classifier whose input could take a new head, and the graph has none`
          : `${path} has ${classes} outputs, the data ${numClasses} classes, and no Gemm/MatMul classifier whose input could take a new head`);
      }
      numClasses ??= classes;
      const cut = lastGemm.inputs[0];
      const features = (shapes.get(cut) ?? []).slice(1).reduce((a, b) => a * b, 1);
      return new NewHead(load(path, [cut]), features, numClasses, seed); // --seed seeds the new head
    },
  };
}
