// Runs a Plan under noGrad: each step on the values it reads, each activation
// freed after the last step that reads it, in-place steps only on an activation
// that nothing else holds (no other live value, no view). Never freed or
// overwritten: the graph's inputs, its constants (parameters, buffers) and its
// outputs. The same kernels and arithmetic as the separate ops: the same bits.
import * as F from '../functional.js';
import { empty } from '../ops/basic.js';
import { convGeometry } from '../ops/conv2d/geometry.js';
import type { ConvEpilogue } from '../ops/conv2d/epilogue.js';
import { convForwardFused } from '../ops/conv2d/run.js';
import { elementwiseThreads } from '../ops/launch.js';
import { kernels } from '../runtime/kernel-calls.js';
import type { Tensor } from '../tensor.js';
import type { GraphNode, ValueId } from './ir.js';
import type { Plan, Step } from './plan.js';
import { replay } from './replay.js';

export function executePlan(plan: Plan, inputs: readonly Tensor[]): Tensor[] {
  const g = plan.graph;
  const values = new Map<ValueId, Tensor>();
  /** how many live values hold each tensor (a view-free alias: an in-place step's output, an identity) */
  const holders = new Map<Tensor, number>();
  const pinned = new Set<Tensor>([...inputs, ...g.constants.values()]);
  const set = (v: ValueId, t: Tensor) => {
    values.set(v, t);
    holders.set(t, (holders.get(t) ?? 0) + 1);
  };
  const drop = (v: ValueId) => {
    const t = values.get(v)!;
    values.delete(v);
    const n = holders.get(t)! - 1;
    if (n > 0) return void holders.set(t, n);
    holders.delete(t);
    if (!pinned.has(t)) t.dispose();
  };
  g.inputs.forEach((v, i) => set(v, inputs[i]));
  for (const [v, t] of g.constants) set(v, t);
  /** Whether value `v` may be overwritten by step `i`: an activation read last here that nobody else holds. */
  const owned = (v: ValueId, i: number): boolean => {
    const t = values.get(v)!;
    return plan.lastRead.get(v) === i && !pinned.has(t) && holders.get(t) === 1 && t.storage.refs === 1;
  };
  const arg = (v: ValueId | null) => (v === null ? null : values.get(v)!);

  plan.steps.forEach((s, i) => {
    set(s.output, runStep(g, s, i, arg, owned));
    for (const v of s.reads) if (plan.lastRead.get(v) === i) drop(v);
  });
  return g.outputs.map((v) => values.get(v)!);
}

function runStep(g: Plan['graph'], s: Step, i: number, arg: (v: ValueId | null) => Tensor | null, owned: (v: ValueId, i: number) => boolean): Tensor {
  const args = (n: GraphNode) => n.inputs.map(arg);
  switch (s.kind) {
    case 'op':
      return replay(s.node.op, args(s.node), s.node.attrs, g.shapes[s.output]);
    case 'reluInPlace': {
      const v = s.node.inputs[0]!;
      const x = arg(v)!;
      if (!owned(v, i)) return F.relu(x);
      kernels.reluForward({ x: x.ptr('relu'), out: x.ptr('relu'), n: x.size }, elementwiseThreads(x.size));
      return x;
    }
    case 'addRelu': {
      const [a, b] = s.node.inputs as [ValueId, ValueId];
      const ta = arg(a)!;
      const tb = arg(b)!;
      if (ta !== tb && g.shapes[a].length === g.shapes[b].length && g.shapes[a].every((d, k) => d === g.shapes[b][k])) {
        // Into whichever operand nobody else holds (a + b = b + a bit for bit).
        const [dst, src] = owned(a, i) ? [ta, tb] : owned(b, i) ? [tb, ta] : [null, null];
        if (dst && src) {
          kernels.addReluInPlace({ dst: dst.ptr('add'), src: src.ptr('add'), n: dst.size }, elementwiseThreads(dst.size));
          return dst;
        }
      }
      const sum = replay('add', [ta, tb], s.node.attrs, g.shapes[s.node.output]);
      kernels.reluForward({ x: sum.ptr('relu'), out: sum.ptr('relu'), n: sum.size }, elementwiseThreads(sum.size)); // the sum is this step's alone
      return sum;
    }
    case 'conv': {
      const c = s.conv;
      const [x, w, bias] = args(c);
      const opts = { stride: c.attrs.stride as [number, number], padding: c.attrs.padding as [number, number], dilation: c.attrs.dilation as [number, number], groups: c.attrs.groups as number };
      return withEpilogueArgs(s.bn ? batchNormAffine(s.bn, arg) : null, s.bn ? null : bias, arg(s.residual), s.relu, (epi) => {
        // F(4x4,3x3) layers apply the epilogue inside their output transform, the
        // GEMM paths (1x1, im2col) inside the GEMM: one pass fewer, same bits.
        const g = convGeometry('conv2d', x!, w!, null, opts);
        const y = empty([g.N, g.OC, g.OH, g.OW], 'conv2d');
        // Under noGrad: w is only read, so its transformed or packed form may be kept (weight-cache.ts).
        if (convForwardFused(g, x!.ptr('conv2d'), w!.readPtr('conv2d'), epi, y.ptr(), w!.storage)) return y;
        y.dispose();
        const out = F.conv2d(x!, w!, null, opts);
        kernels.affinePlanesInPlace({
          y: out.ptr('conv2d'), planes: g.N * g.OC, C: g.OC, S: g.OH * g.OW, scale: epi.scale, shift: epi.shift, src: epi.residual, relu: epi.relu ? 1 : 0,
        }, elementwiseThreads(out.size));
        return out;
      });
    }
  }
}

/**
 * An eval batch norm as y = x·scale + shift per channel, rounded as the batch
 * norm kernel (bnApply) rounds it: float32 products and sums, the inverse
 * deviation from float64. Read from the statistics and parameters at each
 * run, so a training step between two runs is seen.
 */
function batchNormAffine(bn: GraphNode, arg: (v: ValueId | null) => Tensor | null): { scale: Float32Array; shift: Float32Array } {
  const op = 'batchNorm';
  const [, rm, rv, wt, bt] = bn.inputs.map(arg);
  const eps = bn.attrs.eps as number;
  const f = Math.fround;
  const mean = rm!.view(op);
  const variance = rv!.view(op);
  const w = wt ? wt.view(op) : null;
  const b = bt ? bt.view(op) : null;
  const C = mean.length;
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const invstd = f(1 / Math.sqrt(variance[c] + eps));
    scale[c] = f((w ? w[c] : 1) * invstd);
    shift[c] = f((b ? b[c] : 0) - f(mean[c] * scale[c]));
  }
  return { scale, shift };
}

/**
 * Runs fn with the epilogue y = relu?(affine(y) + residual?) as addresses:
 * `affine` a batch norm's scale and shift, else the conv `bias` (or none).
 */
function withEpilogueArgs<T>(
  affine: { scale: Float32Array; shift: Float32Array } | null, bias: Tensor | null, residual: Tensor | null, relu: boolean,
  fn: (epi: ConvEpilogue) => T,
): T {
  let scale: Tensor | null = null;
  let shift: Tensor | null = bias;
  if (affine) {
    scale = empty([affine.scale.length], 'conv2d');
    scale.view().set(affine.scale);
    shift = empty([affine.shift.length], 'conv2d');
    shift.view().set(affine.shift);
  }
  try {
    return fn({ scale: scale ? scale.ptr() : 0, shift: shift ? shift.ptr('conv2d') : 0, residual: residual ? residual.ptr('add') : 0, relu });
  } finally {
    if (scale) {
      scale.dispose();
      shift!.dispose();
    }
  }
}
