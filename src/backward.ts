import { _setRetaining } from './autograd.js';
import { checkKnownKeys, fmtShape, SimdnnError } from './errors.js';
import type { Tensor } from './tensor.js';
import { sameShape } from './tensor.js';
import { addInto, copyOf, onesLike } from './ops/basic.js';
import { tensorHooks } from './tensor-hooks.js';
import { graphReleaser, releaseConsumedForwards } from './memory/forward-scope.js';

/**
 * Reverse-mode pass: visits the recorded graph in reverse topological order,
 * sums the gradients reaching each tensor (in a fixed order: the order the
 * graph was built), stores leaf gradients in `.grad` (accumulating, as PyTorch
 * does) and frees intermediate gradients as soon as they are consumed. The
 * graph is released afterwards (a second backward through it throws).
 */
export function runBackward(root: Tensor, grad?: Tensor, opts: { retainGraph?: boolean } = {}): void {
  checkKnownKeys('backward', opts, ['retainGraph']);
  const retainGraph = opts.retainGraph ?? false;
  if (typeof retainGraph !== 'boolean') throw new SimdnnError('backward', `retainGraph must be true or false, got ${String(retainGraph)}`);
  if (root.isDisposed) {
    throw new SimdnnError('backward', `the tensor ${fmtShape(root.shape)} was ${root.storage.releasedHow}`);
  }
  if (!root.requiresGrad) {
    throw new SimdnnError('backward', `the tensor ${fmtShape(root.shape)} does not require grad and has no grad function`);
  }
  let seed: Tensor;
  let seedOwned: boolean;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new SimdnnError('backward', `grad can be implicitly created only for one-element outputs; pass a gradient of shape ${fmtShape(root.shape)}`);
    }
    seed = onesLike(root);
    seedOwned = true;
  } else {
    if (!sameShape(grad.shape, root.shape)) {
      throw new SimdnnError('backward', `gradient shape ${fmtShape(grad.shape)} differs from the output's ${fmtShape(root.shape)}`);
    }
    grad.ptr('backward');
    seed = grad;
    seedOwned = false;
  }

  // Topological order by iterative DFS (deep nets would overflow recursion).
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const x = inputs[i];
      if (x.requiresGrad && x.isDisposed) {
        // dispose() cuts a tensor's grad function: going on would silently
        // drop the gradients of everything behind it.
        const how = x.storage.releasedHow;
        throw new SimdnnError('backward', `the graph reaches a released tensor ${fmtShape(x.shape)} (input ${i} of '${t.gradFn!.name}'; ` +
          (how.startsWith('released (') ? 'disposed, or freed at the end of its tidy scope): call backward() inside the tidy that built the graph' : `it was ${how})`));
      }
      if (x.requiresGrad && !seen.has(x)) {
        seen.add(x);
        stack.push([x, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  for (const t of order) {
    if (t.gradFn && t.gradFn.backward === null) {
      throw new SimdnnError('backward', `trying to backward through the graph a second time (through '${t.gradFn.name}'); the saved values were freed`);
    }
  }

  // Gradient tensors this pass owns (everything but the caller's seed), with
  // the number of entries in `grads` that use each; freed when that reaches 0.
  const refs = new Map<Tensor, number>();
  const grads = new Map<Tensor, Tensor>();
  const release = (g: Tensor) => {
    const n = refs.get(g);
    if (n === undefined) return;
    if (n <= 1) {
      refs.delete(g);
      g.dispose();
    } else refs.set(g, n - 1);
  };
  grads.set(root, seed);
  if (seedOwned) refs.set(seed, 1);

  const reluFusable = reluOverBatchNorm(order, root);
  /** Tensors whose pending gradient a ReLU after them has yet to mask (see reluOverBatchNorm). */
  const reluMasked = new Set<Tensor>();

  // retainGraph: closures keep their saved tensors (freeSaved) and stay attached.
  const prevRetaining = _setRetaining(retainGraph);
  try {
  const consumed = retainGraph ? null : graphReleaser(order);
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    if (consumed !== null && k + 1 < order.length) consumed(order[k + 1]); // the tensor processed last
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    const node = t.gradFn;
    if (node === null) {
      if (refs.get(g) === 1 && g.storage.refs === 1) {
        refs.delete(g);
        accumulateLeaf(t, g, true);
      } else {
        accumulateLeaf(t, g, false);
        release(g);
      }
      continue;
    }
    const bn = reluFusable.get(t);
    if (bn !== undefined) {
      // relu(y) where y = batchNorm(...) has no other reader: hand g to y as it
      // is; y's node masks it inside its own passes (GradNode.backwardReluMasked).
      grads.set(bn, g); // g keeps its one reference: y's entry replaces t's
      reluMasked.add(bn);
      if (!retainGraph) node.backward = null;
      continue;
    }
    const inGrads = reluMasked.delete(t) ? node.backwardReluMasked!(g) : node.backward!(g);
    for (const gx of inGrads) if (gx && gx !== seed && !refs.has(gx)) refs.set(gx, 0);
    for (let i = 0; i < node.inputs.length; i++) {
      const x = node.inputs[i];
      const gx = inGrads[i];
      if (!gx || !x.requiresGrad) continue;
      if (!sameShape(gx.shape, x.shape)) {
        throw new SimdnnError('backward', `'${node.name}' returned a gradient of shape ${fmtShape(gx.shape)} for an input of shape ${fmtShape(x.shape)}`);
      }
      const prev = grads.get(x);
      if (prev === undefined) {
        grads.set(x, gx);
        if (refs.has(gx)) refs.set(gx, refs.get(gx)! + 1);
      } else if (refs.get(prev) === 1 && prev !== gx && prev.storage.refs === 1) {
        addInto(prev, gx); // sole owner: sum in place
      } else {
        const sum = copyOf(prev);
        addInto(sum, gx);
        refs.set(sum, 1);
        grads.set(x, sum);
        release(prev);
      }
    }
    // Returned gradients nobody took (inputs without requiresGrad, or summed in).
    for (const gx of inGrads) if (gx && refs.get(gx) === 0) (refs.delete(gx), gx.dispose());
    if (!retainGraph) node.backward = node.backwardReluMasked = null; // frees what the closures saved
    release(g);
  }
  } finally {
    _setRetaining(prevRetaining);
  }
  // The graph is consumed: the module activations behind it go now, not at a
  // step boundary (docs/memory.md, rule 1). A backward that retains the graph keeps them.
  if (!retainGraph) releaseConsumedForwards(order);
}

/**
 * The ReLU nodes of the graph whose input y is a batch norm's output read by
 * nothing else (one use in the whole graph, not the root), each mapped to y.
 * For those the backward skips the ReLU's own pass: the batch norm's backward
 * applies the ReLU mask while it reads the gradient anyway (backwardReluMasked),
 * so the masked gradient is never written and read back. Same bits: the mask
 * is rebuilt from the batch norm's input with its forward's arithmetic.
 * Measured with `node bench/layers.mjs --train --models resnet18` (batch 8,
 * 1 thread, process CPU time, under load): batch norm + ReLU backward 22.6 ms
 * per step instead of 34.0 (the batch norm's passes cost the same; the ReLU
 * passes after batch norms are gone), about 0.8% of the 1,460 ms step.
 *
 * Not fused, measured in the same profile: the forward (ReLU 6-7 ms per step
 * in all, ~0.45%): writing relu(batchNorm(x)) in one pass needs to know that
 * nothing else will read the batch norm's output, which a forward cannot (the
 * caller may hold it), so it would need a lazily computed storage in Tensor;
 * nor the residual add + ReLU forward (one pass over ~6 M floats per step at
 * batch 8, estimated ~3 ms). Their backward is already one
 * pass: add hands its gradient through unchanged.
 */
function reluOverBatchNorm(order: readonly Tensor[], root: Tensor): Map<Tensor, Tensor> {
  const uses = new Map<Tensor, number>();
  for (const t of order) if (t.gradFn) for (const x of t.gradFn.inputs) uses.set(x, (uses.get(x) ?? 0) + 1);
  const fusable = new Map<Tensor, Tensor>();
  for (const t of order) {
    const node = t.gradFn;
    // 'relu' is ops/activation.ts's relu, whose backward is g·[input > 0].
    if (node === null || node.name !== 'relu' || node.inputs.length !== 1) continue;
    const y = node.inputs[0];
    if (y !== root && uses.get(y) === 1 && y.gradFn !== null && y.gradFn.backwardReluMasked && sameShape(y.shape, t.shape)) fusable.set(t, y);
  }
  return fusable;
}

/** Sums `g` into the leaf's `.grad`; `adopt`: g is ours alone and may become `.grad`. */
function accumulateLeaf(t: Tensor, g: Tensor, adopt: boolean): void {
  if (t.grad === null || t.grad.isDisposed) {
    t.grad = adopt ? g : copyOf(g); // the setter exempts it from tidy scopes
  } else {
    addInto(t.grad, g);
    if (adopt) g.dispose();
  }
}

tensorHooks.backward = runBackward;
