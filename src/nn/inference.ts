import { isGradEnabled } from '../autograd.js';
import { launchElementwise } from '../ops/launch.js';
import { sameShape, type Tensor } from '../tensor.js';
import type { Module } from './module.js';

/**
 * Inference memory: under `noGrad` nothing keeps an activation for a backward
 * pass, so a chain of library layers can free each activation as soon as the
 * next layer has consumed it, and an element-wise layer (ReLU) can overwrite
 * an activation that nobody else holds. Only the peak changes: the values are
 * the same bits. The input of a chain is never freed or overwritten, nor is
 * anything a forward hook could have seen, nor the output of a user-defined
 * layer (it may keep references to what it returns).
 */

/** A library layer that can apply itself to a tensor in place (ReLU). */
interface InPlaceLayer {
  _applyInPlace(x: Tensor): void;
}

/** Whether `m` is a hook-free library layer that keeps no activation (see Module._keepsNoActivations). */
export function freesActivations(m: Module): boolean {
  const ctor = m.constructor as typeof Module;
  return Object.prototype.hasOwnProperty.call(ctor, '_keepsNoActivations') && ctor._keepsNoActivations && !m._hasHooks();
}

/** Whether `t` owns its memory alone (no live view shares it), so it may be overwritten. */
export function soleOwner(t: Tensor): boolean {
  return t.storage.refs === 1;
}

/** Whether `m` can run in place instead of its forward: it has no hook at all, as no hook would see the call. */
function isInPlaceLayer(m: Module): m is Module & InPlaceLayer {
  return typeof (m as Partial<InPlaceLayer>)._applyInPlace === 'function' && !m._hasHooks(true);
}

/**
 * Runs `layers` in order on `x` (Sequential's forward). Returns the output and
 * whether it is `owned`: an activation made here by a hook-free library layer,
 * which the caller may free or overwrite once it has used it (only ever true
 * under noGrad).
 */
export function runLayers(x: Tensor, layers: readonly Module[]): { y: Tensor; owned: boolean } {
  const inference = !isGradEnabled();
  let y = x;
  let owned = false;
  for (const m of layers) {
    const free = inference && freesActivations(m);
    if (owned && free && isInPlaceLayer(m) && soleOwner(y)) {
      m._applyInPlace(y);
      continue;
    }
    const next = m.forward(y);
    if (next === y) continue; // an identity (eval dropout, folded batch norm): y keeps its owner
    if (owned && free) y.dispose();
    y = next;
    owned = free;
  }
  return { y, owned };
}

/**
 * relu(a + b) for a residual block whose final ReLU is `relu`. When `a` is
 * owned, ReLU is a hook-free library layer and the shapes match, one in-place
 * pass over `a` (same bits as add then ReLU); otherwise F.add then relu.forward.
 * Frees the owned operands it no longer needs.
 */
export function residualRelu(
  a: { y: Tensor; owned: boolean }, b: { y: Tensor; owned: boolean }, relu: Module,
  add: (a: Tensor, b: Tensor) => Tensor,
): Tensor {
  const free = freesActivations(relu) && !isGradEnabled();
  if (free && !relu._hasHooks(true) && a.owned && soleOwner(a.y) && sameShape(a.y.shape, b.y.shape) && a.y !== b.y) {
    launchElementwise('addReluInPlace', [a.y.ptr('add'), b.y.ptr('add'), a.y.size], a.y.size);
    if (b.owned) b.y.dispose();
    return a.y;
  }
  const sum = add(a.y, b.y);
  if (a.owned) a.y.dispose();
  if (b.owned && b.y !== a.y) b.y.dispose();
  const out = relu.forward(sum);
  if (free && out !== sum) sum.dispose();
  return out;
}
