import { noGrad } from '../autograd.js';
import { check } from '../errors.js';
import { zeros } from '../ops/basic.js';
import { tidy } from '../scope.js';
import { isTensor, type Tensor } from '../tensor.js';
import { Conv2d } from './conv.js';
import { Module } from './module.js';
import { readersOf, type Graph, type ValueId } from '../graph/ir.js';
import { traceGraph } from '../graph/trace-graph.js';
import { BatchNorm2d } from './norm.js';

/**
 * Folds every eval-mode batch norm that directly follows a convolution into
 * that convolution, for inference: W' = W·γ/√(σ²+ε) per output channel,
 * b' = β + (b − μ)·γ/√(σ²+ε); the batch norm then passes its input through.
 * The pairs come from the model's graph (src/graph/: one traced forward pass on
 * zeros of `inputShape`): a batch norm whose input is a convolution's output that
 * nothing else reads, both run by Conv2d / BatchNorm2d modules of the model.
 *
 * This changes the model in place for good: conv weights and biases hold the
 * folded values (stateDict gains the new conv biases), and the folded batch
 * norms refuse to run in training mode. Returns the number of folded pairs.
 *
 * Opt-in, never automatic: no-grad eval inference already applies an unfolded
 * batch norm with its ReLU in one in-place pass after the bias-free conv
 * (the graph executor's passes, src/graph/plan.ts), as cheap as the folded conv's
 * bias pass; folding behind the user's back would rewrite their weights, and
 * folding into copies would double the conv weights' memory.
 */
export function foldBatchNorm(model: Module, inputShape: number[]): number {
  const op = 'foldBatchNorm';
  check(model instanceof Module, op, 'model must be an nn.Module');
  check(Array.isArray(inputShape) && inputShape.every((d) => Number.isInteger(d) && d > 0), op, `inputShape must list positive sizes, got ${JSON.stringify(inputShape)}`);
  const convOf = new Map<Tensor, Conv2d>();
  const bnOf = new Map<Tensor, BatchNorm2d>();
  for (const m of model.modules()) {
    if (m instanceof Conv2d) convOf.set(m.weight, m);
    else if (m instanceof BatchNorm2d && !m.folded) bnOf.set(m.runningMean, m);
  }
  const modes = model.modules().map((m) => [m, m.training] as const);
  let graph: Graph | null = null;
  try {
    model.eval();
    tidy(() => noGrad(() => {
      const x = zeros(inputShape);
      graph = traceGraph(() => model.forward(x), [x], { unknown: 'constant', subgraphs: false }).graph;
    }), isTensor);
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  const pairs = graph === null ? [] : convBatchNormPairs(graph, convOf, bnOf);
  for (const [conv, bn] of pairs) absorb(conv, bn);
  return pairs.length;
}

/** Conv2d → BatchNorm2d pairs of `g` where the conv's output feeds only the batch norm, each conv and batch norm once. */
function convBatchNormPairs(g: Graph, convOf: Map<Tensor, Conv2d>, bnOf: Map<Tensor, BatchNorm2d>): [Conv2d, BatchNorm2d][] {
  const readers = readersOf(g);
  const producer = new Map(g.nodes.map((n) => [n.output, n]));
  const moduleOf = <M>(v: ValueId | null, map: Map<Tensor, M>): M | undefined => {
    const t = v === null ? undefined : g.constants.get(v);
    return t === undefined ? undefined : map.get(t);
  };
  // A module run more than once keeps its weights: folding must serve every call.
  const runs = new Map<ValueId | null, number>();
  for (const n of g.nodes) if (n.op === 'conv2d' || n.op === 'batchNorm') runs.set(n.inputs[1], (runs.get(n.inputs[1]) ?? 0) + 1);
  const pairs: [Conv2d, BatchNorm2d][] = [];
  for (const n of g.nodes) {
    if (n.op !== 'batchNorm') continue;
    const bn = moduleOf(n.inputs[1], bnOf);
    const c = producer.get(n.inputs[0]!);
    const conv = c && c.op === 'conv2d' ? moduleOf(c.inputs[1], convOf) : undefined;
    if (!bn || !conv || readers.get(c!.output)!.length !== 1 || g.outputs.includes(c!.output)) continue;
    if (runs.get(n.inputs[1]) !== 1 || runs.get(c!.inputs[1]) !== 1) continue;
    pairs.push([conv, bn]);
  }
  return pairs;
}

function absorb(conv: Conv2d, bn: BatchNorm2d): void {
  const op = 'foldBatchNorm';
  const oc = conv.outChannels;
  check(bn.numFeatures === oc, op, `batch norm over ${bn.numFeatures} channels follows a conv with ${oc}`);
  if (!conv.bias) conv._setBias(zeros([oc]));
  const w = conv.weight.view(op);
  const b = conv.bias!.view(op);
  const mean = bn.runningMean.view(op);
  const variance = bn.runningVar.view(op);
  const gamma = bn.weight ? bn.weight.view(op) : null;
  const beta = bn.bias ? bn.bias.view(op) : null;
  const per = w.length / oc;
  for (let o = 0; o < oc; o++) {
    const s = (gamma ? gamma[o] : 1) / Math.sqrt(variance[o] + bn.eps);
    for (let i = o * per; i < (o + 1) * per; i++) w[i] *= s;
    b[o] = (beta ? beta[o] : 0) + (b[o] - mean[o]) * s;
  }
  bn.folded = true;
}
