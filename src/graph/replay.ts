// How the executor runs one node on its own: the public op the trace recorded,
// called again with the recorded attributes (same kernels, same bits).
import * as F from '../functional.js';
import { reshape } from '../ops/basic.js';
import { binary, type BinaryName } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { hardtanh } from '../ops/hardtanh.js';
import { permute } from '../ops/permute.js';
import type { Tensor } from '../tensor.js';
import type { TraceAttrs } from '../trace.js';

type Replay = (ins: (Tensor | null)[], a: TraceAttrs, outShape: number[]) => Tensor;

const pair = (v: unknown) => v as [number, number];
const arithmetic = (name: BinaryName): Replay => ([x, y], a) => {
  if (typeof a.scalar !== 'number') return binary(name, x!, y!);
  return a.scalarFirst ? binary(name, a.scalar, x!) : binary(name, x!, a.scalar);
};

const REPLAY: Record<string, Replay> = {
  conv2d: ([x, w, b], a) => F.conv2d(x!, w!, b, { stride: pair(a.stride), padding: pair(a.padding), dilation: pair(a.dilation), groups: a.groups as number }),
  linear: ([x, w, b]) => F.linear(x!, w!, b),
  matmul: ([x, y]) => matmul(x!, y!),
  batchNorm: ([x, rm, rv, w, b], a) => F.batchNorm(x!, rm, rv, w, b, { training: a.training as boolean, momentum: a.momentum as number, eps: a.eps as number }),
  relu: ([x]) => F.relu(x!),
  hardtanh: ([x], a) => hardtanh(x!, a.min as number, a.max as number),
  tanh: ([x]) => F.tanh(x!),
  sigmoid: ([x]) => F.sigmoid(x!),
  softmax: ([x], a) => F.softmax(x!, a.dim as number),
  logSoftmax: ([x], a) => F.logSoftmax(x!, a.dim as number),
  localResponseNorm: ([x], a) => F.localResponseNorm(x!, { size: a.size as number, alpha: a.alpha as number, beta: a.beta as number, k: a.k as number }),
  dropout: ([x], a) => F.dropout(x!, { p: a.p as number, training: a.training as boolean }),
  maxPool2d: ([x], a) => F.maxPool2d(x!, { kernelSize: pair(a.kernelSize), stride: pair(a.stride), padding: pair(a.padding), dilation: pair(a.dilation), ceilMode: a.ceilMode as boolean }),
  avgPool2d: ([x], a) => F.avgPool2d(x!, { kernelSize: pair(a.kernelSize), stride: pair(a.stride), padding: pair(a.padding), ceilMode: a.ceilMode as boolean, countIncludePad: a.countIncludePad as boolean }),
  adaptiveAvgPool2d: ([x], _a, s) => F.adaptiveAvgPool2d(x!, [s[2], s[3]]),
  adaptiveMaxPool2d: ([x], _a, s) => F.adaptiveMaxPool2d(x!, [s[2], s[3]]),
  reshape: ([x], a) => reshape(x!, a.shape as number[]),
  add: arithmetic('add'),
  sub: arithmetic('sub'),
  mul: arithmetic('mul'),
  div: arithmetic('div'),
  permute: ([x], a) => permute(x!, a.perm as number[]),
  transpose: ([x], a) => permute(x!, a.perm as number[]),
  concat: (ins, a) => F.concat(ins as Tensor[], a.dim as number),
};

/** Why a node cannot be replayed, or null when it can. */
export function unreplayable(op: string, a: TraceAttrs): string | null {
  if (!Object.prototype.hasOwnProperty.call(REPLAY, op)) return `op '${op}' has no replay in the graph executor`;
  // A training-mode dropout draws a fresh mask from its module's stream on every call.
  if (op === 'dropout' && a.training && (a.p as number) > 0) return 'a training-mode dropout';
  return null;
}

export function replay(op: string, ins: (Tensor | null)[], a: TraceAttrs, outShape: number[]): Tensor {
  return REPLAY[op](ins, a, outShape);
}
