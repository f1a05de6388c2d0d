import { record } from '../autograd.js';
import { check, fmtShape } from '../errors.js';
import { sameShape, Tensor } from '../tensor.js';
import { floatTensor } from './args.js';
import { empty } from './basic.js';
import type { Reduction } from './reduction.js';

/**
 * `w`'s values for every element of a tensor of `shape`, broadcasting as
 * PyTorch (trailing dimensions aligned, size-1 dimensions repeated); null for no w.
 */
export function broadcastTo(w: Tensor | null | undefined, shape: readonly number[], op: string, arg: string): Float64Array | null {
  if (w === undefined || w === null) return null;
  floatTensor(w, op, arg);
  const r = shape.length;
  check(w.shape.length <= r && w.shape.every((d, i) => d === 1 || d === shape[r - w.shape.length + i]), op,
    () => `${arg} ${fmtShape(w.shape)} does not broadcast to the input's ${fmtShape(shape)}`);
  const src = w.view(op);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const ws = [...new Array(r - w.shape.length).fill(1), ...w.shape];
  for (let i = 0; i < n; i++) {
    let rem = i;
    let j = 0;
    let stride = 1;
    for (let d = r - 1; d >= 0; d--) {
      const k = rem % shape[d];
      rem = (rem - k) / shape[d];
      if (ws[d] !== 1) j += k * stride;
      stride *= ws[d];
    }
    out[i] = src[j];
  }
  return out;
}

/**
 * An element-wise loss of (input, target) computed in JavaScript in float64
 * and one fixed order: `f(i)` is element i's loss, `df(i)` its derivative in
 * the input. The target is a constant: a target that requires a gradient is
 * rejected rather than silently left without one.
 */
export function pointwiseLoss(op: string, input: Tensor, target: Tensor, reduction: Reduction, f: (x: Float32Array, t: Float32Array, i: number) => number, df: (x: Float32Array, t: Float32Array, i: number) => number): Tensor {
  check(sameShape(input.shape, target.shape), op, () => `target ${fmtShape(target.shape)} must have the input's shape ${fmtShape(input.shape)}`);
  check(!target.requiresGrad, op, 'gradients with respect to the target are not supported (detach the target)');
  input.ptr(op);
  target.ptr(op);
  const n = input.size;
  const out = empty(reduction === 'none' ? input.shape : [], op);
  const x = input.view(op);
  const t = target.view(op);
  const o = out.view(op);
  if (reduction === 'none') for (let i = 0; i < n; i++) o[i] = f(x, t, i);
  else {
    let s = 0;
    for (let i = 0; i < n; i++) s += f(x, t, i);
    o[0] = reduction === 'mean' ? s / n : s;
  }
  return record(op, out, [input], (g) => {
    const gx = empty(input.shape, op);
    const gv = gx.view(op);
    const gg = g.view(op);
    const xs = input.view(op);
    const ts = target.view(op);
    const k = reduction === 'mean' ? gg[0] / n : gg[0];
    for (let i = 0; i < n; i++) gv[i] = df(xs, ts, i) * (reduction === 'none' ? gg[i] : k);
    return [gx];
  });
}
