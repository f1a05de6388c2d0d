import type { Tensor } from './tensor.js';
import { check } from './errors.js';

/**
 * One recorded operation on the tape: its inputs and how to turn the gradient
 * of its output into gradients of its inputs (null where an input needs none).
 */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward: ((gradOut: Tensor) => (Tensor | null)[]) | null;
  /**
   * @internal Optional, set by batchNorm: the same backward for a gradient that
   * a ReLU of this node's output has yet to mask (g·[out > 0]), done inside
   * its own passes. The backward engine calls it instead of the ReLU's
   * backward and this node's `backward` when that ReLU is the output's only
   * reader (src/backward.ts).
   */
  backwardReluMasked?: ((gradOut: Tensor) => (Tensor | null)[]) | null;
}

let gradEnabled = true;
let retaining = false;

/** @internal Set by a backward pass with retainGraph: closures keep what they saved for the next pass. */
export function _setRetaining(v: boolean): boolean {
  const prev = retaining;
  retaining = v;
  return prev;
}

/**
 * Frees tensors a backward closure saved from its forward, unless the graph is
 * being retained (`backward(g, { retainGraph: true })`): then the next pass
 * needs them, and they are freed by the last pass or their tidy scope.
 */
export function freeSaved(...ts: (Tensor | null | undefined)[]): void {
  if (retaining) return;
  for (const t of ts) t?.dispose();
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording gradients and returns its result (PyTorch's `torch.no_grad`). */
export function noGrad<T>(fn: () => T): T {
  check(typeof fn === 'function', 'noGrad', `expects a function to run, got ${typeof fn}`);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Whether an op over these inputs must be recorded. */
export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Attaches a backward function to `out` when any input requires a gradient.
 * `backward` receives dL/dout and returns dL/dinput per input, in order.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly Tensor[],
  backward: (gradOut: Tensor) => (Tensor | null)[],
): Tensor {
  if (!needsGrad(inputs)) return out;
  out._setGradFn({ name, inputs, backward });
  return out;
}
