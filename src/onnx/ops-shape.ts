// Loaders for shape, constant and element-wise ops. Each works on constants
// (in JS: shape arithmetic, folded at load when every input is known) and,
// where a CNN needs it, on activations (views, or the core's differentiable ops).
import { F, sn, type Tensor } from './core.js';
import { intsOf, isConst, makeConst, type Const } from './constant.js';
import { checkOutputSize, broadcastShapes } from './broadcast.js';
import { constBinary, constConcat, constGather, constSlice, normAxis } from './const-ops.js';
import { constInput, type NodeContext, type Runner, type Val } from './node-context.js';
import { padConstant } from './pad.js';
import { need, scalarOf, shapeOf, toTensor } from './values.js';

type Loader = (c: NodeContext) => Runner;
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A value reshaped (a view for tensors), keeping its kind. */
function reshapeVal(v: Val, dims: number[]): Val {
  return isConst(v) ? makeConst(dims, v.data, v.type) : (v as Tensor).reshape(dims);
}

/** Reshape's target: 0 copies the input's dim (unless allowzero), -1 is inferred. */
function reshapeTarget(c: NodeContext, input: number[], spec: number[], allowZero: boolean): number[] {
  const out = spec.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const neg = out.filter((d) => d === -1).length;
  const known = sizeOf(out.filter((d) => d !== -1));
  if (neg > 1 || out.some((d) => d < -1 || d === undefined)) throw c.error(`shape [${spec}] is not a valid reshape of [${input}]`);
  const total = sizeOf(input);
  if (neg === 1) {
    if (known === 0 || total % known !== 0) throw c.error(`cannot reshape [${input}] to [${spec}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (sizeOf(out) !== total) throw c.error(`cannot reshape [${input}] (${total} values) to [${spec}]`);
  return out;
}

const Reshape: Loader = (c) => {
  c.allowAttrs(c.opset >= 14 ? ['allowzero'] : []);
  const allowZero = c.int('allowzero', 0) === 1;
  return ([x, shape]) => {
    const xv = need(x, 'Reshape data');
    return [reshapeVal(xv, reshapeTarget(c, shapeOf(xv), intsOf(constInput(shape, c.node, 'Reshape shape'), 'shape'), allowZero))];
  };
};

const Flatten: Loader = (c) => {
  c.allowAttrs(['axis']);
  const axis = c.int('axis', 1);
  return ([x]) => {
    const xv = need(x, 'Flatten input');
    const s = shapeOf(xv);
    const a = axis < 0 ? axis + s.length : axis;
    if (a < 0 || a > s.length) throw c.error(`axis ${axis} is out of range for input [${s}]`);
    return [reshapeVal(xv, [sizeOf(s.slice(0, a)), sizeOf(s.slice(a))])];
  };
};

const Squeeze: Loader = (c) => {
  c.allowAttrs(c.opset < 13 ? ['axes'] : []);
  const attrAxes = c.opset < 13 ? c.ints('axes', null) : null;
  return ([x, axesIn]) => {
    const xv = need(x, 'Squeeze data');
    const s = shapeOf(xv);
    const axes = (c.opset < 13 ? attrAxes : axesIn ? intsOf(constInput(axesIn, c.node, 'Squeeze axes'), 'axes') : null)
      ?.map((a) => normAxis(a, s.length, 'Squeeze axis')) ?? s.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of axes) if (s[a] !== 1) throw c.error(`cannot squeeze axis ${a} of size ${s[a]} (input [${s}])`);
    return [reshapeVal(xv, s.filter((_, i) => !axes.includes(i)))];
  };
};

const Unsqueeze: Loader = (c) => {
  c.allowAttrs(c.opset < 13 ? ['axes'] : []);
  const attrAxes = c.opset < 13 ? c.ints('axes', null) : null;
  return ([x, axesIn]) => {
    const xv = need(x, 'Unsqueeze data');
    const s = shapeOf(xv);
    const raw = c.opset < 13 ? attrAxes : intsOf(constInput(axesIn, c.node, 'Unsqueeze axes'), 'axes');
    if (!raw) throw c.error('axes are required');
    const rank = s.length + raw.length;
    const axes = raw.map((a) => normAxis(a, rank, 'Unsqueeze axis'));
    const out: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : s[j++]);
    return [reshapeVal(xv, out)];
  };
};

const Transpose: Loader = (c) => {
  c.allowAttrs(['perm']);
  const permAttr = c.ints('perm', null);
  return ([x]) => {
    const xt = toTensor(need(x, 'Transpose data'));
    const perm = permAttr ?? xt.shape.map((_, i) => xt.shape.length - 1 - i);
    if (perm.length !== xt.shape.length || [...perm].sort().some((p, i) => p !== i)) throw c.error(`perm [${perm}] is not a permutation of the input's ${xt.shape.length} dims`);
    return [sn.permute(xt, perm)];
  };
};

const Concat: Loader = (c) => {
  c.allowAttrs(['axis']);
  if (!c.has('axis')) throw c.error('the axis attribute is required');
  const axis = c.int('axis', 0);
  return (ins) => {
    const vals = ins.filter((v): v is Val => v !== null);
    if (vals.every(isConst)) return [constConcat(vals as Const[], axis)];
    return [F.concat(vals.map(toTensor), axis)];
  };
};

const Identity: Loader = (c) => {
  c.allowAttrs([]);
  return ([x]) => [need(x, 'Identity input')];
};

const Pad: Loader = (c) => {
  c.allowAttrs(c.opset < 11 ? ['mode', 'pads', 'value'] : ['mode']);
  const mode = c.string('mode', 'constant');
  if (mode !== 'constant') throw c.error(`mode '${mode}' is not supported (supported: constant)`);
  return ([x, padsIn, valueIn, axesIn]) => {
    if (axesIn) throw c.error('the axes input is not supported');
    const xt = toTensor(need(x, 'Pad data'));
    const pads = c.opset < 11 ? c.ints('pads', [])! : intsOf(constInput(padsIn, c.node, 'Pad pads'), 'pads');
    const value = c.opset < 11 ? c.float('value', 0) : scalarOf(valueIn, 0, 'Pad constant_value');
    const r = xt.shape.length;
    if (pads.length !== 2 * r) throw c.error(`pads [${pads}] must have ${2 * r} values for input [${xt.shape}]`);
    return [padConstant(xt, pads.slice(0, r), pads.slice(r), value)];
  };
};

const Constant: Loader = (c) => {
  c.allowAttrs(['value', 'value_float', 'value_floats', 'value_int', 'value_ints']);
  let v: Const | null = c.tensor('value');
  if (!v && c.has('value_float')) v = makeConst([], [c.float('value_float', 0)], 'float');
  if (!v && c.has('value_floats')) { const f = c.floats('value_floats')!; v = makeConst([f.length], f, 'float'); }
  if (!v && c.has('value_int')) v = makeConst([], [c.int('value_int', 0)], 'int');
  if (!v && c.has('value_ints')) { const f = c.ints('value_ints', [])!; v = makeConst([f.length], f, 'int'); }
  if (!v) throw c.error('no value (supported: value, value_float(s), value_int(s))');
  const value = v;
  return () => [value];
};

const Shape: Loader = (c) => {
  c.allowAttrs(['start', 'end']);
  return ([x]) => {
    const s = shapeOf(need(x, 'Shape data'));
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + s.length : v, 0), s.length);
    const part = s.slice(norm(c.int('start', 0)), norm(c.int('end', s.length)));
    return [makeConst([part.length], part, 'int')];
  };
};

const Gather: Loader = (c) => {
  c.allowAttrs(['axis']);
  const axis = c.int('axis', 0);
  return ([data, idx]) => [constGather(constInput(data, c.node, 'Gather data'), constInput(idx, c.node, 'Gather indices'), axis)];
};

const Cast: Loader = (c) => {
  c.allowAttrs(['to']);
  const to = c.int('to', 1);
  const type = to === 1 || to === 11 || to === 10 ? 'float' : to === 9 ? 'bool' : 'int';
  return ([x]) => {
    const v = need(x, 'Cast input');
    if (!isConst(v)) {
      if (type !== 'float') throw c.error('casting an activation to a non-float type is not supported');
      return [v];
    }
    return [makeConst(v.dims, type === 'int' ? Array.from(v.data, Math.trunc) : type === 'bool' ? Array.from(v.data, (d) => (d ? 1 : 0)) : v.data, type)];
  };
};

const ConstantOfShape: Loader = (c) => {
  c.allowAttrs(['value']);
  const value = c.tensor('value') ?? makeConst([1], [0], 'float');
  return ([shape]) => {
    const dims = intsOf(constInput(shape, c.node, 'ConstantOfShape input'), 'shape');
    if (dims.some((d) => d < 0) || sizeOf(dims) > 1 << 20) throw c.error(`shape [${dims}] is negative or too large for a shape constant`);
    return [makeConst(dims, new Array(sizeOf(dims)).fill(value.data[0]), value.type)];
  };
};

const Slice: Loader = (c) => {
  c.allowAttrs(c.opset < 10 ? ['axes', 'ends', 'starts'] : []);
  return ([data, s, e, ax, st]) => {
    const d = constInput(data, c.node, 'Slice data');
    const ints = (v: Val | null, what: string) => (v ? intsOf(constInput(v, c.node, what), what) : null);
    const starts = c.opset < 10 ? c.ints('starts', [])! : ints(s, 'starts')!;
    const ends = c.opset < 10 ? c.ints('ends', [])! : ints(e, 'ends')!;
    const axes = (c.opset < 10 ? c.ints('axes', null) : ints(ax, 'axes')) ?? starts.map((_, i) => i);
    const steps = (c.opset < 10 ? null : ints(st, 'steps')) ?? starts.map(() => 1);
    return [constSlice(d, starts, ends, axes, steps)];
  };
};

const TENSOR_BINARY = { Add: sn.add, Sub: sn.sub, Mul: sn.mul, Div: sn.div, Pow: sn.pow } as const;

/** ONNX's broadcasting is numpy's, as the core's element-wise ops; constants fold in JS. */
function elementwise(onnx: keyof typeof TENSOR_BINARY): Loader {
  return (c) => {
    c.allowAttrs([]);
    return ([a, b]) => {
      const av = need(a, `${onnx} input A`);
      const bv = need(b, `${onnx} input B`);
      if (isConst(av) && isConst(bv)) return [constBinary(onnx, av, bv)];
      const out = broadcastShapes(shapeOf(av), shapeOf(bv));
      if (out === null) throw c.error(`shapes [${shapeOf(av)}] and [${shapeOf(bv)}] do not broadcast`);
      checkOutputSize(onnx, out);
      return [TENSOR_BINARY[onnx](toTensor(av), toTensor(bv))];
    };
  };
}

const ReduceMean: Loader = (c) => {
  c.allowAttrs(['axes', 'keepdims']);
  const axesAttr = c.ints('axes', null);
  const keep = c.int('keepdims', 1) === 1;
  return ([x]) => {
    const xt = toTensor(need(x, 'ReduceMean data'));
    // No axes (or an empty list) reduces every dim, as ONNX before opset 18 and sn.mean.
    const axes = (axesAttr ?? []).map((a) => normAxis(a, xt.shape.length, 'ReduceMean axis'));
    if (new Set(axes).size !== axes.length) throw c.error(`axes [${axesAttr}] repeat a dim`);
    return [sn.mean(xt, axes.length > 0 ? axes : null, keep)];
  };
};

export const SHAPE_OPS: Record<string, Loader> = {
  Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Identity, Pad, Constant, Shape, Gather, Cast, ConstantOfShape, Slice, ReduceMean,
  Add: elementwise('Add'),
  Sub: elementwise('Sub'),
  Mul: elementwise('Mul'),
  Div: elementwise('Div'),
  Pow: elementwise('Pow'),
};

/** Ops that only compute on constants: an activation reaching these inputs is a load error. */
export const CONST_ONLY_INPUTS: Record<string, number[]> = {
  Gather: [0, 1], Slice: [0, 1, 2, 3, 4], ConstantOfShape: [0], Reshape: [1], Squeeze: [1], Unsqueeze: [1], Pad: [1],
};
