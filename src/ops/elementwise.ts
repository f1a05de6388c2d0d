import {
  BINARY_ADD, BINARY_DIV, BINARY_FIRST, BINARY_MAX, BINARY_MIN, BINARY_MUL, BINARY_POW, BINARY_SUB,
} from '../runtime/kernel-table.generated.js';
import { kernels } from '../runtime/kernel-calls.js';
import { traceOp } from '../trace.js';
import { noGrad, record } from '../autograd.js';
import { check, SimdnnError } from '../errors.js';
import { sameShape, Tensor, type DType } from '../tensor.js';
import { empty, full } from './basic.js';
import { broadcastShapes, broadcastStrides, collapseDims, forEachBroadcast, sumToShape } from './broadcast.js';
import { elementwiseThreads } from './launch.js';
import { asDtype, operand, rejectBoolArithmetic, resultType, type Operand } from './promotion.js';
import { unaryFloat } from './unary.js';

/** Binary op codes of assembly/binary.ts. */
export const BINARY = {
  add: BINARY_ADD, sub: BINARY_SUB, mul: BINARY_MUL, div: BINARY_DIV, maximum: BINARY_MAX, minimum: BINARY_MIN, pow: BINARY_POW,
} as const;
export type BinaryName = keyof typeof BINARY;

/**
 * `g` broadcast to `shape` (a copy; g's shape must broadcast to it): the
 * backward of reductions. Runs the strided kernel's FIRST op; `like` (a live
 * tensor of the target shape, e.g. the reduced input) only gives the shape.
 */
export function expandTo(g: Tensor, like: Tensor, op: string): Tensor {
  if (sameShape(g.shape, like.shape)) return floatBinary('mul', g, 1, op);
  const outShape = broadcastShapes(g.shape, like.shape, op);
  const out = empty(outShape, op);
  if (out.size === 0) return out;
  const c = collapseDims(outShape, [broadcastStrides(g.shape, outShape), broadcastStrides(like.shape, outShape)]);
  const rank = c.shape.length;
  const meta = empty([3 * rank], op, 'int32');
  meta.viewInt32(op).set([...c.shape, ...c.strides[0], ...c.strides[1]]);
  try {
    kernels.binaryStrided({ kind: BINARY_FIRST, a: g.ptr(op), b: like.ptr(op), out: out.ptr(), meta: meta.ptr(), rank }, elementwiseThreads(out.size));
  } finally {
    meta.dispose();
  }
  return out;
}

/** int32 forms (JS: not hot); div never reaches here (it is float division, as torch.div). */
const INT_OPS: Record<Exclude<BinaryName, 'div'>, (x: number, y: number) => number> = {
  add: (x, y) => (x + y) | 0,
  sub: (x, y) => (x - y) | 0,
  mul: (x, y) => Math.imul(x, y),
  maximum: (x, y) => Math.max(x, y),
  minimum: (x, y) => Math.min(x, y),
  pow: (x, y) => {
    // Exponentiation by squaring with 32-bit wrap (y >= 0 is checked first): O(log y), exact mod 2^32.
    let r = 1;
    let base = x;
    for (let e = y; e > 0; e >>>= 1) {
      if (e & 1) r = Math.imul(r, base);
      base = Math.imul(base, base);
    }
    return r;
  },
};

/**
 * a (op) b in float32 on the wasm kernels: same shapes, a tensor and a number,
 * or a broadcast (strided rows over the collapsed output shape).
 */
export function floatBinary(name: BinaryName, a: Operand, b: Operand, op: string): Tensor {
  const kind = BINARY[name];
  if (typeof a === 'number' && typeof b === 'number') throw new SimdnnError(op, 'needs at least one Tensor operand');
  if (typeof b === 'number' || typeof a === 'number') {
    const t = (typeof a === 'number' ? b : a) as Tensor;
    const s = (typeof a === 'number' ? a : b) as number;
    const out = empty(t.shape, op);
    if (t.size > 0) kernels.binaryScalar({
      kind, a: t.ptr(op), s, out: out.ptr(), n: t.size, scalarFirst: typeof a === 'number' ? 1 : 0,
    }, elementwiseThreads(t.size));
    return out;
  }
  if (sameShape(a.shape, b.shape)) {
    const out = empty(a.shape, op);
    if (a.size > 0) kernels.binarySame({ kind, a: a.ptr(op), b: b.ptr(op), out: out.ptr(), n: a.size }, elementwiseThreads(a.size));
    return out;
  }
  const outShape = broadcastShapes(a.shape, b.shape, op);
  const out = empty(outShape, op);
  if (out.size === 0) return out;
  const c = collapseDims(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
  const rank = c.shape.length;
  const meta = empty([3 * rank], op, 'int32');
  meta.viewInt32(op).set([...c.shape, ...c.strides[0], ...c.strides[1]]);
  try {
    kernels.binaryStrided({ kind, a: a.ptr(op), b: b.ptr(op), out: out.ptr(), meta: meta.ptr(), rank }, elementwiseThreads(out.size));
  } finally {
    meta.dispose();
  }
  return out;
}

/** a (op) b for int32 operands, broadcast, in JS. */
function intBinary(name: Exclude<BinaryName, 'div'>, a: Operand, b: Operand, op: string): Tensor {
  const f = INT_OPS[name];
  const sa = a instanceof Tensor ? a.shape : [];
  const sb = b instanceof Tensor ? b.shape : [];
  const outShape = broadcastShapes(sa, sb, op);
  if (name === 'pow') {
    const neg = typeof b === 'number' ? b < 0 : b.viewInt32(op).some((v) => v < 0);
    check(!neg, op, 'integers to negative integer powers are not allowed (use float tensors)');
  }
  const out = empty(outShape, op, 'int32');
  const av = a instanceof Tensor ? a.viewInt32(op) : Int32Array.of(a);
  const bv = b instanceof Tensor ? b.viewInt32(op) : Int32Array.of(b);
  const ov = out.viewInt32(op);
  forEachBroadcast(outShape, broadcastStrides(sa, outShape), broadcastStrides(sb, outShape), (o, i, j) => {
    ov[o] = f(av[i], bv[j]);
  });
  return out;
}

/** Gradients of a float binary op with respect to the broadcast output: [dL/da, dL/db] (full output shape). */
function binaryGrads(name: BinaryName, a: Operand, b: Operand, out: Tensor, g: Tensor, op: string): [Tensor | null, Tensor | null] {
  const needA = a instanceof Tensor && a.requiresGrad;
  const needB = b instanceof Tensor && b.requiresGrad;
  switch (name) {
    case 'add':
      return [needA ? g : null, needB ? g : null];
    case 'sub':
      return [needA ? g : null, needB ? unaryFloat('neg', g, op) : null];
    case 'mul':
      return [needA ? floatBinary('mul', g, b, op) : null, needB ? floatBinary('mul', g, a, op) : null];
    case 'div': {
      const ga = needA ? floatBinary('div', g, b, op) : null;
      let gb: Tensor | null = null;
      if (needB) {
        // d(a/b)/db = -(a/b)/b = -out/b
        const t = floatBinary('mul', g, out, op);
        const u = floatBinary('div', t, b, op);
        gb = unaryFloat('neg', u, op);
        t.dispose();
        u.dispose();
      }
      return [ga, gb];
    }
    default:
      return pointwiseGrads(name, a, b, out, g, needA, needB, op);
  }
}

/** pow, maximum, minimum: per-element rules at the output shape, in JS (float64 arithmetic, rounded once). */
function pointwiseGrads(name: BinaryName, a: Operand, b: Operand, out: Tensor, g: Tensor, needA: boolean, needB: boolean, op: string): [Tensor | null, Tensor | null] {
  const sa = a instanceof Tensor ? a.shape : [];
  const sb = b instanceof Tensor ? b.shape : [];
  // Allocate before taking views: an allocation may grow (and detach) the memory.
  const ga = needA ? empty(out.shape, op) : null;
  const gb = needB ? empty(out.shape, op) : null;
  const av = a instanceof Tensor ? a.view(op) : Float32Array.of(a);
  const bv = b instanceof Tensor ? b.view(op) : Float32Array.of(b);
  const gv = g.view(op);
  const ov = out.view(op);
  const gav = ga?.view(op);
  const gbv = gb?.view(op);
  forEachBroadcast(out.shape, broadcastStrides(sa, out.shape), broadcastStrides(sb, out.shape), (o, i, j) => {
    const x = av[i];
    const y = bv[j];
    const go = gv[o];
    if (name === 'pow') {
      // torch: the base's gradient is 0 where the exponent is 0; the exponent's is 0 where base = 0 and exponent >= 0.
      if (gav) gav[o] = y === 0 ? 0 : go * y * Math.pow(x, y - 1);
      if (gbv) gbv[o] = x === 0 && y >= 0 ? 0 : go * ov[o] * Math.log(x);
    } else {
      // torch 1.13: where(a == b, g/2, g), zeroed where the other operand wins (NaN: both get g).
      const tie = x === y;
      const aLoses = name === 'maximum' ? x < y : x > y;
      const bLoses = name === 'maximum' ? x > y : x < y;
      if (gav) gav[o] = tie ? go / 2 : aLoses ? 0 : go;
      if (gbv) gbv[o] = tie ? go / 2 : bLoses ? 0 : go;
    }
  });
  return [ga, gb];
}

/**
 * The element-wise binary ops with PyTorch's broadcasting and type promotion
 * (int32 + 0.5 is float32; div is always float division, as torch.div).
 * Differentiable in float32; broadcast gradients are summed back to each
 * operand's shape (sumToShape: fixed order).
 */
export function binary(name: BinaryName, aIn: unknown, bIn: unknown): Tensor {
  const op = name;
  const a = operand(aIn, op, 'input');
  const b = operand(bIn, op, 'other');
  if (typeof a === 'number' && typeof b === 'number') throw new SimdnnError(op, 'needs at least one Tensor operand, got two numbers');
  rejectBoolArithmetic(op, a, b);
  let dtype: DType = resultType([a, b]);
  if (name === 'div' && dtype !== 'float32') dtype = 'float32';
  if (dtype === 'bool') dtype = 'int32'; // bool (op) integer number: integer arithmetic
  const temps: Tensor[] = [];
  const conv = (x: Operand) => (x instanceof Tensor ? asDtype(x, dtype, op, temps) : x);
  const ca = conv(a);
  const cb = conv(b);
  const dropTemps = () => { for (const t of temps) t.dispose(); };
  if (dtype === 'int32') {
    try {
      return intBinary(name as Exclude<BinaryName, 'div'>, ca, cb, op);
    } finally {
      dropTemps();
    }
  }
  let out: Tensor;
  try {
    out = powSpecial(name, ca, cb, op) ?? floatBinary(name, ca, cb, op);
  } catch (e) {
    dropTemps();
    throw e;
  }
  const inputs = [a, b].filter((x): x is Tensor => x instanceof Tensor);
  const result = record(op, out, inputs, (g) => noGrad(() => {
    const [ga, gb] = binaryGrads(name, ca, cb, out, g, op);
    const reduce = (gx: Tensor | null, x: Operand): Tensor | null => {
      if (gx === null || !(x instanceof Tensor)) return null;
      const r = sumToShape(gx, x.shape, op);
      if (r !== gx && gx !== g) gx.dispose();
      return r;
    };
    const ra = reduce(ga, a);
    const rb = reduce(gb, b);
    dropTemps(); // converted operands were kept for this backward
    return a instanceof Tensor && b instanceof Tensor ? [ra, rb] : [a instanceof Tensor ? ra : rb];
  }));
  if (result.gradFn === null) dropTemps();
  traceArithmetic(name, a, b, result);
  return result;
}

const TRACED: ReadonlySet<BinaryName> = new Set(['add', 'sub', 'mul', 'div']);

/**
 * saveOnnx's tracer: add/sub/mul/div of float32 tensors, with each other or with a
 * number (which the export writes as a scalar constant; `scalarFirst` for 2 - x).
 * Mixed-dtype operands are converted first and not traced.
 */
function traceArithmetic(name: BinaryName, a: Operand, b: Operand, out: Tensor): void {
  if (!TRACED.has(name) || out.dtype !== 'float32') return;
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.dtype === 'float32' && b.dtype === 'float32') traceOp(name, [a, b], out);
    return;
  }
  const t = (a instanceof Tensor ? a : b) as Tensor;
  if (t.dtype === 'float32') traceOp(name, [t], out, { scalar: typeof a === 'number' ? a : b, scalarFirst: typeof a === 'number' });
}

/** pow with a number exponent PyTorch computes exactly: x^2 = x·x, x^1 = x, x^0.5 = sqrt x, x^0 = 1. */
function powSpecial(name: BinaryName, a: Operand, b: Operand, op: string): Tensor | null {
  if (name !== 'pow' || typeof b !== 'number' || !(a instanceof Tensor)) return null;
  if (b === 2) return unaryFloat('square', a, op);
  if (b === 0.5) return unaryFloat('sqrt', a, op);
  if (b === 1) return floatBinary('mul', a, 1, op);
  if (b === 0) return full(a.shape, 1);
  return null;
}

export const add = (a: Operand, b: Operand): Tensor => binary('add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('mul', a, b);
export const div = (a: Operand, b: Operand): Tensor => binary('div', a, b);
export const pow = (a: Operand, b: Operand): Tensor => binary('pow', a, b);
export const maximum = (a: Tensor, b: Operand): Tensor => binary('maximum', a, b);
export const minimum = (a: Tensor, b: Operand): Tensor => binary('minimum', a, b);

