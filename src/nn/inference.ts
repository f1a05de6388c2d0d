import { kernels } from '../runtime/kernel-calls.js';
import { isGradEnabled } from '../autograd.js';
import { empty } from '../ops/basic.js';
import { elementwiseThreads } from '../ops/launch.js';
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
/** A convolution (Conv2d) that can leave its bias to the pass after it. */
interface ConvLayer {
  bias: Tensor | null;
  _forwardNoBias(x: Tensor): Tensor;
}
/** A per-channel affine layer (BatchNorm2d) that can hand its eval-mode scale and shift over. */
interface AffineLayer {
  _evalAffine(): { scale: Float32Array; shift: Float32Array } | 'identity' | null;
}

/** A hook-free library layer (no hook at all: its forward is bypassed) with the method `key`. */
function bypassable<K extends string>(m: Module | undefined, key: K): m is Module & Record<K, unknown> {
  return m !== undefined && typeof (m as unknown as Record<string, unknown>)[key] === 'function' && freesActivations(m) && !m._hasHooks(true);
}
function isReLU(m: Module | undefined): boolean {
  return m !== undefined && m.typeName === 'ReLU' && freesActivations(m) && !m._hasHooks(true);
}

/**
 * Conv2d, then an eval batch norm (over a bias-free conv) and/or a ReLU, as
 * the conv without its bias and one in-place pass (affinePlanesInPlace): the
 * bias-add or batch norm and the ReLU together, the same arithmetic as the
 * separate layers. Returns null where there is nothing to fuse.
 */
function fusedConv(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; used: number } | null {
  const conv = layers[i];
  if (!bypassable(conv, '_forwardNoBias')) return null;
  const c = conv as unknown as Module & ConvLayer;
  let j = i + 1;
  let affine: { scale: Float32Array; shift: Float32Array } | null = null;
  if (bypassable(layers[j], '_evalAffine')) {
    const a = (layers[j] as unknown as AffineLayer)._evalAffine();
    if (a === 'identity') j++;
    else if (a && !c.bias) {
      affine = a;
      j++;
    }
  }
  const relu = isReLU(layers[j]);
  if (!affine && !(relu && c.bias)) return null; // a plain conv, or a bias-free conv-ReLU (in-place ReLU)
  if (relu) j++;
  const y = c._forwardNoBias(x);
  epilogue(y, affine, c.bias, null, relu);
  return { y, used: j - i };
}

/**
 * y = relu?(affine(y) + residual?) in place: `affine` an eval batch norm's
 * scale and shift, else the conv `bias` (or none).
 */
function epilogue(
  y: Tensor, affine: { scale: Float32Array; shift: Float32Array } | null, bias: Tensor | null, residual: Tensor | null, relu: boolean,
): void {
  const [N, C, H, W] = y.shape;
  let scale: Tensor | null = null;
  let shift: Tensor | null = bias;
  if (affine) {
    scale = empty([C], 'conv2d');
    scale.view().set(affine.scale);
    shift = empty([C], 'conv2d');
    shift.view().set(affine.shift);
  }
  kernels.affinePlanesInPlace({
    y: y.ptr('conv2d'), planes: N * C, C, S: H * W, scale: scale ? scale.ptr() : 0, shift: shift ? shift.ptr('conv2d') : 0,
    src: residual ? residual.ptr('add') : 0, relu: relu ? 1 : 0,
  }, elementwiseThreads(y.size));
  if (scale) {
    scale.dispose();
    shift!.dispose();
  }
}

/**
 * The tail of a residual block, relu(bn(conv(x)) + shortcut()) with `tail` =
 * [conv, batch norm] or [conv] and `relu` the block's ReLU; the shortcut runs
 * after the tail (the layers' usual order) unless fused, then before it. Under noGrad, with
 * hook-free library layers and matching shapes: the bias-free conv, then one
 * in-place pass for the bias or batch norm, the add and the ReLU (same bits as
 * the separate passes). Otherwise the layers, then `residualRelu`. Frees the
 * owned operands once read.
 */
export function residualTail(
  x: { y: Tensor; owned: boolean }, tail: readonly Module[], shortcut: () => { y: Tensor; owned: boolean }, relu: Module,
  add: (a: Tensor, b: Tensor) => Tensor,
): Tensor {
  const fusable = !isGradEnabled() && isReLU(relu) && tail.length >= 1 && tail.length <= 2 && bypassable(tail[0], '_forwardNoBias');
  if (fusable) {
    const c = tail[0] as unknown as Module & ConvLayer;
    let affine: { scale: Float32Array; shift: Float32Array } | 'identity' | null = 'identity';
    if (tail.length === 2) affine = bypassable(tail[1], '_evalAffine') ? (tail[1] as unknown as AffineLayer)._evalAffine() : null;
    if (affine !== null && !(affine !== 'identity' && c.bias)) {
      const identity = shortcut(); // first here, so the pass after the conv can add it
      const y = c._forwardNoBias(x.y);
      if (x.owned) x.y.dispose();
      const a = affine === 'identity' ? null : affine;
      if (sameShape(y.shape, identity.y.shape)) {
        epilogue(y, a, a ? null : c.bias, identity.y, true);
        if (identity.owned) identity.y.dispose();
        return y;
      }
      epilogue(y, a, a ? null : c.bias, null, false); // shapes differ: add's own broadcasting or error
      return residualRelu({ y, owned: true }, identity, relu, add);
    }
  }
  const out = runLayers(x.y, tail, x.owned);
  return residualRelu(out, shortcut(), relu, add);
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
 * Runs `layers` in order on `x` (Sequential's forward); `ownedInput`: the
 * caller made `x` in its own forward and nothing else holds it, so it may be
 * freed or overwritten like the activations here. Returns the output and
 * whether it is `owned`: an activation made here by a hook-free library layer,
 * which the caller may free or overwrite once it has used it (only ever true
 * under noGrad).
 */
export function runLayers(x: Tensor, layers: readonly Module[], ownedInput = false): { y: Tensor; owned: boolean } {
  const inference = !isGradEnabled();
  let y = x;
  let owned = inference && ownedInput; // the caller made x in this forward and hands it over
  for (let i = 0; i < layers.length; i++) {
    const m = layers[i];
    const free = inference && freesActivations(m);
    if (owned && free && isInPlaceLayer(m) && soleOwner(y)) {
      m._applyInPlace(y);
      continue;
    }
    const fused = inference ? fusedConv(layers, i, y) : null;
    if (fused) {
      if (owned) y.dispose();
      y = fused.y;
      owned = true;
      i += fused.used - 1;
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
    kernels.addReluInPlace({ dst: a.y.ptr('add'), src: b.y.ptr('add'), n: a.y.size }, elementwiseThreads(a.y.size));
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
