// `sn.nn.init`: PyTorch's torch.nn.init, in place, returning the tensor.
// Draws come from a stream seeded by sn.manualSeed (or an explicit { seed }),
// with the fan computation and gain table of torch.nn.init.
import { check, fmtShape, SimdnnError } from '../errors.js';
import type { Rng } from '../random.js';
import { Tensor } from '../tensor.js';
import * as raw from './init.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** torch.nn.init.calculate_gain: the recommended gain for a nonlinearity (`param`: leaky ReLU's slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  const op = 'calculateGain';
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.sqrt(2);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      check(typeof slope === 'number' && Number.isFinite(slope), op, `negative slope ${String(param)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new SimdnnError(op, `unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** fan_in and fan_out as torch computes them (at least 2 dimensions; receptive field = product of dims 2…). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  check(t instanceof Tensor, 'calculateFanInAndFanOut', 'expects a Tensor');
  check(t.shape.length >= 2, 'calculateFanInAndFanOut', () => `fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got ${fmtShape(t.shape)}`);
  return raw.fans(t.shape);
}

function target(t: unknown, op: string, opts: object, allowed: string[]): Rng {
  check(t instanceof Tensor && t.dtype === 'float32' && !t.isDisposed, op, 'expects a live float32 Tensor to fill in place');
  raw.checkOptions(op, opts, [...allowed, 'seed']);
  return raw.initRng((opts as { seed?: number }).seed);
}

function num(v: unknown, op: string, name: string): number {
  check(typeof v === 'number' && !Number.isNaN(v), op, `${name} must be a number, got ${String(v)}`);
  return v as number;
}

/** U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, opts: { seed?: number } = {}): Tensor {
  const rng = target(t, 'uniform_', opts, []);
  check(num(a, 'uniform_', 'a') <= num(b, 'uniform_', 'b'), 'uniform_', `needs a ≤ b, got a=${a}, b=${b}`);
  return raw.uniform_(t, a, b, rng);
}
/** N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: { seed?: number } = {}): Tensor {
  const rng = target(t, 'normal_', opts, []);
  check(num(std, 'normal_', 'std') >= 0, 'normal_', `std must be ≥ 0, got ${std}`);
  return raw.normal_(t, num(mean, 'normal_', 'mean'), std, rng);
}
/** N(mean, std²) redrawn until inside [a, b] (absolute bounds, as torch's trunc_normal_). */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: { seed?: number } = {}): Tensor {
  const rng = target(t, 'truncNormal_', opts, []);
  for (const [n, v] of [['mean', mean], ['std', std], ['a', a], ['b', b]] as const) num(v, 'truncNormal_', n);
  check(a < b, 'truncNormal_', `needs a < b, got a=${a}, b=${b}`);
  return raw.truncNormal_(t, mean, std, a, b, rng);
}
export function constant_(t: Tensor, value: number): Tensor {
  target(t, 'constant_', {}, []);
  return raw.constant_(t, num(value, 'constant_', 'value'));
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** U(±gain·√(6 / (fan_in + fan_out))). */
export function xavierUniform_(t: Tensor, gain = 1, opts: { seed?: number } = {}): Tensor {
  const rng = target(t, 'xavierUniform_', opts, []);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = num(gain, 'xavierUniform_', 'gain') * Math.sqrt(6 / (fanIn + fanOut));
  return raw.uniform_(t, -bound, bound, rng);
}
/** N(0, gain²·2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: { seed?: number } = {}): Tensor {
  const rng = target(t, 'xavierNormal_', opts, []);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return raw.normal_(t, 0, num(gain, 'xavierNormal_', 'gain') * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

export interface KaimingOptions {
  /** The negative slope of the leaky ReLU that follows (only with 'leaky_relu'). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
  seed?: number;
}

function kaimingStd(t: Tensor, op: string, opts: KaimingOptions): number {
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = opts;
  check(mode === 'fan_in' || mode === 'fan_out', op, `mode must be 'fan_in' or 'fan_out', got ${String(mode)}`);
  const f = calculateFanInAndFanOut(t);
  return calculateGain(nonlinearity, num(a, op, 'a')) / Math.sqrt(mode === 'fan_in' ? f.fanIn : f.fanOut);
}
/** U(±gain·√(3 / fan)), gain from `nonlinearity` (and `a`), fan by `mode`. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const rng = target(t, 'kaimingUniform_', opts, ['a', 'mode', 'nonlinearity']);
  const bound = Math.sqrt(3) * kaimingStd(t, 'kaimingUniform_', opts);
  return raw.uniform_(t, -bound, bound, rng);
}
/** N(0, (gain / √fan)²). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const rng = target(t, 'kaimingNormal_', opts, ['a', 'mode', 'nonlinearity']);
  return raw.normal_(t, 0, kaimingStd(t, 'kaimingNormal_', opts), rng);
}
