import { noGrad } from '../autograd.js';
import { check } from '../errors.js';
import { zeros } from '../ops/basic.js';
import { tidy } from '../scope.js';
import { isTensor, type Tensor } from '../tensor.js';
import { Conv2d } from './conv.js';
import { Module, observingHook } from './module.js';
import { BatchNorm2d } from './norm.js';

/**
 * Folds every eval-mode batch norm that directly follows a convolution into
 * that convolution, for inference: W' = W·γ/√(σ²+ε) per output channel,
 * b' = β + (b − μ)·γ/√(σ²+ε); the batch norm then passes its input through.
 * The pairs are found by one traced forward pass on zeros of `inputShape`
 * (a batch norm whose input is a Conv2d module's output). It assumes that
 * output feeds only the batch norm, which holds for every zoo model.
 *
 * This changes the model in place for good: conv weights and biases hold the
 * folded values (stateDict gains the new conv biases), and the folded batch
 * norms refuse to run in training mode. Returns the number of folded pairs.
 *
 * Opt-in, never automatic: no-grad eval inference already applies an unfolded
 * batch norm with its ReLU in one in-place pass after the bias-free conv
 * (nn/inference.ts), as cheap as the folded conv's bias pass; folding behind
 * the user's back would rewrite their weights, and folding into copies would
 * double the conv weights' memory.
 */
export function foldBatchNorm(model: Module, inputShape: number[]): number {
  const op = 'foldBatchNorm';
  check(model instanceof Module, op, 'model must be an nn.Module');
  check(Array.isArray(inputShape) && inputShape.every((d) => Number.isInteger(d) && d > 0), op, `inputShape must list positive sizes, got ${JSON.stringify(inputShape)}`);
  const producedBy = new Map<Tensor, Conv2d>();
  const pairs = new Map<BatchNorm2d, Conv2d>();
  const modes = model.modules().map((m) => [m, m.training] as const);
  const hooks = model.modules().flatMap((m) => {
    if (m instanceof Conv2d) return [m.registerForwardHook(observingHook((_m, _in, out) => { if (isTensor(out)) producedBy.set(out, m); }))];
    if (m instanceof BatchNorm2d && !m.folded) {
      return [m.registerForwardHook(observingHook((_m, inputs) => {
        const conv = isTensor(inputs[0]) ? producedBy.get(inputs[0]) : undefined;
        if (conv && !pairs.has(m)) pairs.set(m, conv);
      }))];
    }
    return [];
  });
  try {
    model.eval();
    tidy(() => noGrad(() => { model.forward(zeros(inputShape)); }), isTensor);
  } finally {
    for (const h of hooks) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
  // A conv feeding two batch norms cannot absorb both.
  const uses = new Map<Conv2d, number>();
  for (const c of pairs.values()) uses.set(c, (uses.get(c) ?? 0) + 1);
  let folded = 0;
  for (const [bn, conv] of pairs) {
    if (uses.get(conv) !== 1) continue;
    absorb(conv, bn);
    folded++;
  }
  return folded;
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
