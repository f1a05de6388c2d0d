import { checkKnownKeys, fmtShape, SimdnnError } from './errors.js';
import { Tensor } from './tensor.js';
import { runBackward } from './backward.js';

/**
 * `sn.autograd.grad` (torch.autograd.grad): the gradients of `outputs` (summed,
 * each weighted by its `gradOutputs` entry; a one-element output defaults to 1)
 * with respect to `inputs`, returned as new tensors; no `.grad` is changed.
 * How, without a second backward engine: every `.grad` the pass could touch is
 * set aside, the ordinary backward runs (once per output, keeping the graph
 * between them), the inputs' fresh `.grad` are taken, and the old ones put
 * back. A requested input that is an intermediate result is made a leaf for
 * the pass; gradients then do not flow through it to another requested input
 * behind it (that case is rejected). The graph is freed unless `retainGraph`.
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], gradOutputs?: (Tensor | null)[] | Tensor | null, opts: { retainGraph?: boolean } = {}): Tensor[] {
  const op = 'autograd.grad';
  checkKnownKeys(op, opts, ['retainGraph']);
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  const gouts = gradOutputs === undefined || gradOutputs === null ? outs.map(() => null) : gradOutputs instanceof Tensor ? [gradOutputs] : gradOutputs;
  if (!Array.isArray(outs) || outs.length === 0 || !outs.every((t) => t instanceof Tensor)) throw new SimdnnError(op, 'outputs must be a Tensor or a non-empty array of Tensors');
  if (!Array.isArray(ins) || ins.length === 0 || !ins.every((t) => t instanceof Tensor)) throw new SimdnnError(op, 'inputs must be a Tensor or a non-empty array of Tensors');
  if (!Array.isArray(gouts) || gouts.length !== outs.length) throw new SimdnnError(op, `gradOutputs must have one entry per output (${outs.length})`);
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new SimdnnError(op, `inputs[${i}] ${fmtShape(t.shape)} does not require grad`);
    if (ins.indexOf(t) !== i) throw new SimdnnError(op, `inputs[${i}] appears twice`);
  });
  outs.forEach((t, i) => {
    if (!t.requiresGrad) throw new SimdnnError(op, `outputs[${i}] ${fmtShape(t.shape)} does not require grad and has no grad function`);
  });

  // Everything the pass can reach: the leaves whose .grad it would change, and
  // whether each input is used (and not only behind another, intermediate, input).
  const inputSet = new Set(ins);
  const reached = new Set<Tensor>();
  const leaves = new Set<Tensor>();
  const stack = [...outs];
  while (stack.length) {
    const t = stack.pop()!;
    if (reached.has(t)) continue;
    reached.add(t);
    if (t.gradFn === null) leaves.add(t);
    else if (!inputSet.has(t)) for (const x of t.gradFn.inputs) if (x.requiresGrad) stack.push(x);
  }
  ins.forEach((t, i) => {
    if (!reached.has(t)) throw new SimdnnError(op, `inputs[${i}] ${fmtShape(t.shape)} is not used in the graph of the outputs`);
  });
  const cut = ins.filter((t) => t.gradFn !== null);
  for (const t of cut) {
    const behind: Tensor[] = [...t.gradFn!.inputs];
    const seen = new Set<Tensor>();
    while (behind.length) {
      const x = behind.pop()!;
      if (seen.has(x) || !x.requiresGrad) continue;
      seen.add(x);
      if (inputSet.has(x)) throw new SimdnnError(op, `an input ${fmtShape(x.shape)} is reached only through another input (an intermediate ${fmtShape(t.shape)}); ask for them in two calls`);
      if (x.gradFn) behind.push(...x.gradFn.inputs);
    }
  }

  const aside = new Map<Tensor, Tensor | null>();
  for (const t of new Set([...leaves, ...ins])) {
    aside.set(t, t.grad);
    t.grad = null;
  }
  const fns = new Map(cut.map((t) => [t, t.gradFn!]));
  for (const t of cut) t._setGradFn(null);
  const result: Tensor[] = [];
  try {
    outs.forEach((o, i) => {
      runBackward(o, gouts[i] ?? undefined, { retainGraph: opts.retainGraph === true || i < outs.length - 1 });
    });
    for (const t of ins) {
      if (t.grad === null) throw new SimdnnError(op, `no gradient reached an input ${fmtShape(t.shape)}`);
      result.push(t.grad);
    }
  } catch (e) {
    for (const t of aside.keys()) if (t.grad !== null && !result.includes(t.grad)) t.grad.dispose();
    result.forEach((g) => g.dispose());
    throw e;
  } finally {
    for (const [t, fn] of fns) t._setGradFn(fn);
    for (const [t, g] of aside) {
      if (t.grad !== null && !result.includes(t.grad) && t.grad !== g) t.grad.dispose();
      t.grad = g;
    }
  }
  return result;
}
