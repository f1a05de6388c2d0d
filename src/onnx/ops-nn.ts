// Loaders for the layer ops (convolution, dense, pooling, normalisation,
// activations): each checks its node's attributes at load and returns what
// runs per forward, on the core's differentiable F ops where they exist.
import { F, hardtanh, pointwiseJs, sn, type Tensor } from './core.js';
import type { NodeContext, Runner, Val } from './node-context.js';
import { padConstant } from './pad.js';
import { need, scalarOf, toTensor } from './values.js';

type Loader = (c: NodeContext) => Runner;
const T = (v: Val | null, what: string): Tensor => toTensor(need(v, what));

/** Only the first output of nodes that may have optional extra outputs (Dropout's mask, MaxPool's indices). */
function onlyFirstOutput(c: NodeContext, what: string): void {
  if (c.node.outputs.slice(1).some((o) => o !== '')) throw c.error(`its ${what} output is not supported (only the first output)`);
}

/** Pads for a 2-D window op: explicit [t, l, b, r], or computed per input size for auto_pad. */
function windowPads(c: NodeContext, s: [number, number], d: [number, number]): (H: number, W: number, k: [number, number]) => number[] {
  const autoPad = c.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const p = c.ints('pads', [0, 0, 0, 0])!;
    if (p.length !== 4) throw c.error(`pads ${JSON.stringify(p)} must have 4 values for a 2-D window (only 2-D convolution and pooling are supported)`);
    if (p.some((v) => v < 0)) throw c.error(`negative pads ${JSON.stringify(p)} are not supported`);
    return () => p;
  }
  if (autoPad === 'VALID') return () => [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw c.error(`auto_pad '${autoPad}' is not supported (supported: NOTSET, VALID, SAME_UPPER, SAME_LOWER)`);
  return (H, W, k) => {
    const out: number[] = [0, 0, 0, 0];
    [H, W].forEach((n, i) => {
      const total = Math.max((Math.ceil(n / s[i]) - 1) * s[i] + (k[i] - 1) * d[i] + 1 - n, 0);
      const small = Math.floor(total / 2);
      out[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      out[i + 2] = total - out[i];
    });
    return out;
  };
}

function pair(c: NodeContext, name: string, dflt: number): [number, number] {
  const v = c.ints(name, [dflt, dflt])!;
  if (v.length !== 2) throw c.error(`${name} ${JSON.stringify(v)} must have 2 values (only 2-D convolution and pooling are supported)`);
  if (v.some((x) => x < 1)) throw c.error(`${name} ${JSON.stringify(v)} must be positive`);
  return [v[0], v[1]];
}

/** Pads x's H and W by [t, l, b, r] where the op's own symmetric padding cannot express them. */
function prePad(x: Tensor, p: number[], value: number): Tensor {
  return padConstant(x, [0, 0, p[0], p[1]], [0, 0, p[2], p[3]], value);
}

const Conv: Loader = (c) => {
  c.allowAttrs(['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']);
  const ks = c.ints('kernel_shape', null);
  if (ks && ks.length !== 2) throw c.error(`kernel_shape ${JSON.stringify(ks)}: only 2-D convolution is supported`);
  const stride = pair(c, 'strides', 1);
  const dilation = pair(c, 'dilations', 1);
  const groups = c.int('group', 1);
  const pads = windowPads(c, stride, dilation);
  return ([x, weight, bias]) => {
    let xt = T(x, 'Conv input X');
    const wt = T(weight, 'Conv input W');
    if (xt.shape.length !== 4 || wt.shape.length !== 4) throw c.error(`input ${JSON.stringify(xt.shape)} / weight ${JSON.stringify(wt.shape)}: only 2-D convolution (4-D NCHW tensors) is supported`);
    const p = pads(xt.shape[2], xt.shape[3], [wt.shape[2], wt.shape[3]]);
    let padding: [number, number] = [p[0], p[1]];
    if (p[0] !== p[2] || p[1] !== p[3]) {
      xt = prePad(xt, p, 0);
      padding = [0, 0];
    }
    return [F.conv2d(xt, wt, bias ? toTensor(bias) : null, { stride, dilation, groups, padding })];
  };
};

function pool(kind: 'max' | 'avg'): Loader {
  return (c) => {
    c.allowAttrs(kind === 'max'
      ? ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides']
      : ['auto_pad', 'ceil_mode', 'count_include_pad', 'kernel_shape', 'pads', 'strides']);
    onlyFirstOutput(c, 'Indices');
    if (c.int('storage_order', 0) !== 0) throw c.error('storage_order 1 is not supported');
    const ks = c.ints('kernel_shape', null);
    if (!ks || ks.length !== 2) throw c.error(`kernel_shape ${JSON.stringify(ks)}: only 2-D pooling is supported`);
    const k: [number, number] = [ks[0], ks[1]];
    const stride = pair(c, 'strides', 1);
    const dilation = kind === 'max' ? pair(c, 'dilations', 1) : [1, 1] as [number, number];
    const ceilMode = c.int('ceil_mode', 0) === 1;
    const includePad = c.int('count_include_pad', 0) === 1;
    const pads = windowPads(c, stride, dilation);
    if (kind === 'avg' && !includePad && c.has('auto_pad') && c.string('auto_pad', 'NOTSET').startsWith('SAME')) {
      throw c.error('auto_pad SAME with count_include_pad 0 is not supported');
    }
    return ([x]) => {
      let xt = T(x, 'input X');
      if (xt.shape.length !== 4) throw c.error(`input ${JSON.stringify(xt.shape)}: only 2-D pooling (4-D NCHW input) is supported`);
      const p = pads(xt.shape[2], xt.shape[3], k);
      let padding: [number, number] = [p[0], p[1]];
      // The core's pools take symmetric padding up to half the kernel (PyTorch's rule); beyond that, pad first.
      if (p[0] !== p[2] || p[1] !== p[3] || p[0] > k[0] >> 1 || p[1] > k[1] >> 1) {
        if (kind === 'avg' && !includePad) throw c.error(`pads ${JSON.stringify(p)} (asymmetric or over half the kernel) with count_include_pad 0 are not supported`);
        xt = prePad(xt, p, kind === 'max' ? -Infinity : 0);
        padding = [0, 0];
      }
      return [kind === 'max'
        ? F.maxPool2d(xt, { kernelSize: k, stride, padding, dilation, ceilMode })
        : F.avgPool2d(xt, { kernelSize: k, stride, padding, ceilMode, countIncludePad: includePad })];
    };
  };
}

const Gemm: Loader = (c) => {
  c.allowAttrs(['alpha', 'beta', 'transA', 'transB']);
  const alpha = c.float('alpha', 1);
  const beta = c.float('beta', 1);
  const transA = c.int('transA', 0) === 1;
  const transB = c.int('transB', 0) === 1;
  return ([a, b, cIn]) => {
    let at = T(a, 'Gemm input A');
    if (transA) at = sn.transpose(at, 0, 1);
    const bt = T(b, 'Gemm input B');
    const ct = cIn ? toTensor(cIn) : null;
    const biasInLinear = ct !== null && beta === 1 && alpha === 1 && ct.shape.length === 1 && transB;
    let y = transB ? F.linear(at, bt, biasInLinear ? ct : null) : sn.matmul(at, bt);
    if (alpha !== 1) y = sn.mul(y, alpha);
    if (ct !== null && !biasInLinear && beta !== 0) y = sn.add(y, beta === 1 ? ct : sn.mul(ct, beta));
    return [y];
  };
};

const MatMul: Loader = (c) => {
  c.allowAttrs([]);
  return ([a, b]) => {
    const at = T(a, 'MatMul input A');
    const bt = T(b, 'MatMul input B');
    if (bt.shape.length !== 2 || at.shape.length < 2) throw c.error(`MatMul of ${JSON.stringify(at.shape)} by ${JSON.stringify(bt.shape)}: only [..., K] x [K, N] is supported`);
    if (at.shape.length === 2) return [sn.matmul(at, bt)];
    const lead = at.shape.slice(0, -1);
    const y = sn.matmul(at.reshape([-1, at.shape[at.shape.length - 1]]), bt);
    return [y.reshape([...lead, bt.shape[1]])];
  };
};

const BatchNormalization: Loader = (c) => {
  c.allowAttrs(['epsilon', 'momentum', 'training_mode']);
  if (c.node.outputs.slice(1).some((o) => o !== '')) throw c.error('the running-statistics outputs are not supported (only Y; training follows the module\'s train()/eval(), as PyTorch)');
  const eps = c.float('epsilon', 1e-5);
  // ONNX's momentum weighs the old running value; PyTorch's (and F.batchNorm's) the batch's.
  const momentum = 1 - c.float('momentum', 0.9);
  return ([x, scale, bias, mean, variance], state) => [F.batchNorm(
    T(x, 'input X'), T(mean, 'input mean'), T(variance, 'input var'), T(scale, 'input scale'), T(bias, 'input B'),
    { training: state.training, momentum, eps },
  )];
};

const Dropout: Loader = (c) => {
  c.allowAttrs(['ratio', 'seed']);
  onlyFirstOutput(c, 'mask');
  const attrRatio = c.opset < 12 ? c.float('ratio', 0.5) : null;
  return ([x, ratio], state) => {
    const p = attrRatio ?? scalarOf(ratio, 0.5, 'Dropout ratio');
    return [F.dropout(T(x, 'input'), { p, training: state.training })];
  };
};

const LRN: Loader = (c) => {
  c.allowAttrs(['alpha', 'beta', 'bias', 'size']);
  const size = c.int('size', 0);
  // ONNX sums floor((size-1)/2) channels before and ceil((size-1)/2) after, PyTorch floor(size/2) before: equal for odd sizes.
  if (size < 1 || size % 2 === 0) throw c.error(`size ${size} is not supported (odd sizes only, where ONNX and PyTorch windows agree)`);
  const opts = { size, alpha: c.float('alpha', 1e-4), beta: c.float('beta', 0.75), k: c.float('bias', 1) };
  return ([x]) => [F.localResponseNorm(T(x, 'input'), opts)];
};

function softmax(log: boolean): Loader {
  return (c) => {
    c.allowAttrs(['axis']);
    const legacy = c.opset < 13; // before 13: flatten to 2-D at axis (default 1); from 13: one axis (default -1)
    const axis = c.int('axis', legacy ? 1 : -1);
    const fn = log ? F.logSoftmax : F.softmax;
    return ([x]) => {
      const xt = T(x, 'input');
      if (!legacy) return [fn(xt, axis)];
      const a = axis < 0 ? axis + xt.shape.length : axis;
      const inner = xt.shape.slice(a).reduce((p, d) => p * d, 1);
      return [fn(xt.reshape([-1, inner]), 1).reshape(xt.shape.slice())];
    };
  };
}

const plain = (fn: (x: Tensor) => Tensor): Loader => (c) => {
  c.allowAttrs([]);
  return ([x]) => [fn(T(x, 'input'))];
};

/**
 * Clip with PyTorch's hardtanh gradient: 1 strictly inside (min, max), 0 at and beyond
 * the bounds. Not sn.clamp: torch.clamp's gradient (which sn.clamp follows) passes at
 * the bounds, but exporters write ReLU6 and Hardtanh as Clip, and a model trained
 * from its ONNX file should get the gradients PyTorch gave it. Both ways run in wasm
 * (it was a JS loop: 44% of mobilenet_v2's batch-1 time).
 */
const clamp = (x: Tensor, lo: number, hi: number): Tensor => lo === 0 && hi === Infinity
  ? F.relu(x)
  : hardtanh(x, lo, hi);

const Clip: Loader = (c) => {
  c.allowAttrs(c.opset < 11 ? ['min', 'max'] : []);
  if (c.opset < 11) {
    const lo = c.float('min', -Infinity);
    const hi = c.float('max', Infinity);
    return ([x]) => [clamp(T(x, 'input'), lo, hi)];
  }
  return ([x, lo, hi]) => [clamp(T(x, 'input'), scalarOf(lo, -Infinity, 'Clip min'), scalarOf(hi, Infinity, 'Clip max'))];
};

const LeakyRelu: Loader = (c) => {
  c.allowAttrs(['alpha']);
  const a = c.float('alpha', 0.01);
  return ([x]) => [F.leakyRelu(T(x, 'input'), a)];
};

// HardSigmoid and HardSwish have no public op (F has neither): element-wise in JS on the core's pointwiseJs.
const HardSigmoid: Loader = (c) => {
  c.allowAttrs(['alpha', 'beta']);
  const a = c.float('alpha', 0.2);
  const b = c.float('beta', 0.5);
  return ([x]) => [pointwiseJs('hardSigmoid', T(x, 'input'), (v) => Math.min(Math.max(a * v + b, 0), 1), (v) => (a * v + b > 0 && a * v + b < 1 ? a : 0))];
};

/** x·relu6(x+3)/6 with PyTorch's gradient ((2x+3)/6 on [-3, 3], 0 below, 1 above). */
const HardSwish: Loader = (c) => {
  c.allowAttrs([]);
  return ([x]) => [pointwiseJs('hardSwish', T(x, 'input'), (v) => v * Math.min(Math.max(v + 3, 0), 6) / 6, (v) => (v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6))];
};

export const NN_OPS: Record<string, Loader> = {
  Conv, Gemm, MatMul, BatchNormalization, Dropout, LRN, Clip, LeakyRelu, HardSigmoid, HardSwish,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: plain((x) => F.adaptiveAvgPool2d(x, 1)),
  GlobalMaxPool: plain((x) => F.adaptiveMaxPool2d(x, 1)),
  Relu: plain(F.relu),
  Sigmoid: plain(F.sigmoid),
  Tanh: plain(F.tanh),
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
