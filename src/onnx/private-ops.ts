// Small differentiable ops the graph executor needs that the core does not have
// yet, computed in JS over the tensors' data (correct, not fast: CNN graphs use
// them on small tensors or rarely). Each is marked with the public op that should
// replace it. All gradients are recorded with the core's tape (record).
import { fmtShape, SimdnnError } from '../errors.js';
import { F, record, sn, type Tensor } from './core.js';

const fromJs = (data: Float32Array, shape: number[]): Tensor => sn.tensor(data, shape);
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** numpy/ONNX multidirectional broadcasting of two shapes, or null. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * The most elements an op here may produce (1 GiB of float32): a hostile file's pads or
 * broadcasts could otherwise ask for far more memory than the file describes.
 */
export const MAX_OUTPUT_ELEMENTS = 2 ** 28;
export function checkOutputSize(op: string, shape: readonly number[]): void {
  if (sizeOf(shape) > MAX_OUTPUT_ELEMENTS) throw new SimdnnError(op, `the result ${fmtShape(shape)} would have more than 2^28 elements`);
}

/** For each element of `out`, the offset of the element of `shape` broadcast onto it. */
export function broadcastOffsets(out: readonly number[], shape: readonly number[]): Int32Array {
  checkOutputSize('broadcast', out);
  const n = sizeOf(out);
  const idx = new Int32Array(n);
  const r = out.length;
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const k = r - shape.length + i;
    strides[k] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  const pos = new Array<number>(r).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let k = r - 1; k >= 0; k--) {
      pos[k]++;
      off += strides[k];
      if (pos[k] < out[k]) break;
      off -= strides[k] * pos[k];
      pos[k] = 0;
    }
  }
  return idx;
}

export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'pow';
const FWD: Record<BinaryKind, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, pow: (a, b) => Math.pow(a, b),
};

/**
 * a (op) b with broadcasting, differentiable. Same-shape and trailing-broadcast
 * adds (residual connections, biases) go to F.add's kernel.
 * replace with sn.add/sn.sub/sn.mul/sn.div/sn.pow once the tensor surface lands
 */
export function binary(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  const out = broadcastShapes(a.shape, b.shape);
  if (out === null) throw new SimdnnError(kind, `shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not broadcast`);
  if (kind === 'add' && ((sameShape(out, a.shape) && trailing(a.shape, b.shape)) || (sameShape(out, b.shape) && trailing(b.shape, a.shape)))) {
    return F.add(a, b);
  }
  const ia = broadcastOffsets(out, a.shape);
  const ib = broadcastOffsets(out, b.shape);
  const av = a.toFloat32Array();
  const bv = b.toFloat32Array();
  const y = new Float32Array(ia.length);
  const f = FWD[kind];
  for (let i = 0; i < y.length; i++) y[i] = f(av[ia[i]], bv[ib[i]]);
  return record(kind, fromJs(y, out), [a, b], (g) => {
    const gv = g.toFloat32Array();
    const ga = a.requiresGrad ? new Float32Array(a.size) : null;
    const gb = b.requiresGrad ? new Float32Array(b.size) : null;
    for (let i = 0; i < gv.length; i++) {
      const x = av[ia[i]];
      const z = bv[ib[i]];
      const gi = gv[i];
      if (ga) ga[ia[i]] += kind === 'mul' ? gi * z : kind === 'div' ? gi / z : kind === 'pow' ? gi * z * Math.pow(x, z - 1) : gi;
      if (gb) gb[ib[i]] += kind === 'mul' ? gi * x : kind === 'div' ? -gi * x / (z * z) : kind === 'sub' ? -gi : kind === 'pow' ? gi * y[i] * Math.log(x) : gi;
    }
    return [ga && fromJs(ga, a.shape.slice()), gb && fromJs(gb, b.shape.slice())];
  });
}

/** b's shape without leading 1s is a suffix of a's (what F.add broadcasts). */
function trailing(a: readonly number[], b: readonly number[]): boolean {
  let k = 0;
  while (k < b.length && b[k] === 1) k++;
  const core = b.slice(k);
  return core.length <= a.length && core.every((d, i) => d === a[a.length - core.length + i]);
}

/**
 * An element-wise function with its derivative (as a function of the input), differentiable.
 * replace with sn.clamp / sn.F.leakyRelu / hardsigmoid / hardswish once the tensor surface lands
 */
export function unary(name: string, x: Tensor, f: (v: number) => number, df: (v: number) => number): Tensor {
  const xv = x.toFloat32Array();
  const y = new Float32Array(xv.length);
  for (let i = 0; i < y.length; i++) y[i] = f(xv[i]);
  return record(name, fromJs(y, x.shape.slice()), [x], (g) => {
    const gv = g.toFloat32Array();
    const gx = new Float32Array(gv.length);
    for (let i = 0; i < gx.length; i++) gx[i] = gv[i] * df(xv[i]);
    return [fromJs(gx, x.shape.slice())];
  });
}

/** Strides of a row-major shape. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** For each output element of x permuted by `perm`, the offset in x. */
function permuteOffsets(shape: readonly number[], perm: readonly number[]): Int32Array {
  const out = perm.map((p) => shape[p]);
  const st = stridesOf(shape);
  return broadcastOffsetsWith(out, perm.map((p) => st[p]));
}
function broadcastOffsetsWith(out: readonly number[], strides: readonly number[]): Int32Array {
  const n = sizeOf(out);
  const idx = new Int32Array(n);
  const pos = new Array<number>(out.length).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let k = out.length - 1; k >= 0; k--) {
      pos[k]++;
      off += strides[k];
      if (pos[k] < out[k]) break;
      off -= strides[k] * pos[k];
      pos[k] = 0;
    }
  }
  return idx;
}

/** x with its dims permuted (a copy), differentiable. replace with sn.permute once the tensor surface lands */
export function transpose(x: Tensor, perm: number[]): Tensor {
  const idx = permuteOffsets(x.shape, perm);
  const xv = x.toFloat32Array();
  const y = new Float32Array(idx.length);
  for (let i = 0; i < y.length; i++) y[i] = xv[idx[i]];
  return record('transpose', fromJs(y, perm.map((p) => x.shape[p])), [x], (g) => {
    const gv = g.toFloat32Array();
    const gx = new Float32Array(x.size);
    for (let i = 0; i < gv.length; i++) gx[idx[i]] = gv[i];
    return [fromJs(gx, x.shape.slice())];
  });
}

/**
 * Constant padding of every dim by begin[i]/end[i] (negative crops), differentiable.
 * replace with sn.F.pad once the tensor surface lands
 */
export function pad(x: Tensor, begin: number[], end: number[], value: number): Tensor {
  const out = x.shape.map((d, i) => d + begin[i] + end[i]);
  if (out.some((d) => d < 0)) throw new SimdnnError('pad', `pads [${begin.join(',')}] / [${end.join(',')}] crop more than input ${fmtShape(x.shape)} has`);
  checkOutputSize('pad', out);
  const n = sizeOf(out);
  const y = new Float32Array(n).fill(value);
  const src = new Int32Array(n).fill(-1);
  const xs = stridesOf(x.shape);
  const pos = new Array<number>(out.length).fill(0);
  const xv = x.toFloat32Array();
  for (let i = 0; i < n; i++) {
    let off = 0;
    let inside = true;
    for (let k = 0; k < out.length; k++) {
      const j = pos[k] - begin[k];
      if (j < 0 || j >= x.shape[k]) { inside = false; break; }
      off += j * xs[k];
    }
    if (inside) { y[i] = xv[off]; src[i] = off; }
    for (let k = out.length - 1; k >= 0; k--) {
      if (++pos[k] < out[k]) break;
      pos[k] = 0;
    }
  }
  return record('pad', fromJs(y, out), [x], (g) => {
    const gv = g.toFloat32Array();
    const gx = new Float32Array(x.size);
    for (let i = 0; i < n; i++) if (src[i] >= 0) gx[src[i]] += gv[i];
    return [fromJs(gx, x.shape.slice())];
  });
}

/** Mean over `axes`, differentiable. replace with sn.mean once the tensor surface lands */
export function reduceMean(x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const idx = broadcastOffsets(x.shape, keep); // element of x -> its output slot
  const count = sizeOf(axes.map((a) => x.shape[a]));
  const xv = x.toFloat32Array();
  const acc = new Float64Array(sizeOf(keep));
  for (let i = 0; i < xv.length; i++) acc[idx[i]] += xv[i];
  const y = Float32Array.from(acc, (v) => v / count);
  const shape = keepdims ? keep : x.shape.filter((_, i) => !axes.includes(i));
  return record('reduceMean', fromJs(y, shape), [x], (g) => {
    const gv = g.toFloat32Array();
    const gx = new Float32Array(x.size);
    for (let i = 0; i < gx.length; i++) gx[i] = gv[idx[i]] / count;
    return [fromJs(gx, x.shape.slice())];
  });
}
