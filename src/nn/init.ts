import { check, checkKnownKeys } from '../errors.js';
import { nextSeed, Rng } from '../random.js';
import type { Tensor } from '../tensor.js';

/**
 * Weight initialisation as PyTorch does it, drawn from a seeded Rng so a model
 * built with the same `seed` has the same weights in every engine. A model
 * constructor runs its layers inside `withInitRng`, so they all draw from one
 * stream; a layer built alone gets its own (its `seed` option, or a fresh one).
 */
let current: Rng | null = null;
let deferred = false;

/**
 * Runs `fn` (a model's constructor) with one Rng for all its layers. With
 * `defer`, Conv2d and Linear skip their default fill: the model then
 * initialises every one of them itself (VGG, ResNet and GoogLeNet overwrite
 * them anyway, and filling 138M weights twice costs seconds).
 */
export function withInitRng<T>(seed: number | undefined, fn: () => T, { defer = false } = {}): T {
  check(seed === undefined || Number.isInteger(seed), 'init', `seed must be an integer, got ${String(seed)}`);
  const prev = current;
  const prevDeferred = deferred;
  current = new Rng(seed ?? nextSeed());
  deferred = defer;
  try {
    return fn();
  } finally {
    current = prev;
    deferred = prevDeferred;
  }
}

/** Whether a layer being built should leave its weights for the model to fill. */
export function initDeferred(): boolean {
  return deferred;
}

/** The Rng a layer being built should draw from. */
export function initRng(seed?: number): Rng {
  check(seed === undefined || Number.isInteger(seed), 'init', `seed must be an integer, got ${String(seed)}`);
  if (seed !== undefined) return new Rng(seed);
  return current ?? new Rng(nextSeed());
}

/** fan_in and fan_out of a weight [out, in, ...kernel] (PyTorch's _calculate_fan_in_and_fan_out). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  check(shape.length >= 2, 'init', `fan in/out needs a weight with at least 2 dimensions, got [${shape.join(',')}]`);
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

export function uniform_(t: Tensor, lo: number, hi: number, rng: Rng): Tensor {
  const v = t.view('init');
  for (let i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.uniform();
  return t;
}

/**
 * N(mean, std²) by Marsaglia's polar method: no sin/cos, about twice as fast
 * as Box–Muller here, which matters for VGG's 124M normal draws.
 */
export function normal_(t: Tensor, mean: number, std: number, rng: Rng): Tensor {
  fillNormal(t.view('init'), mean, std, rng);
  return t;
}

function fillNormal(v: Float32Array, mean: number, std: number, rng: Rng): void {
  const n = v.length;
  for (let i = 0; i < n; ) {
    let a: number, b: number, s: number;
    do {
      a = 2 * rng.uniform() - 1;
      b = 2 * rng.uniform() - 1;
      s = a * a + b * b;
    } while (s >= 1 || s === 0);
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    v[i++] = mean + a * f;
    if (i < n) v[i++] = mean + b * f;
  }
}

/** Normal(mean, std) redrawn until inside [a, b] (PyTorch's trunc_normal_ bounds are absolute values). */
export function truncNormal_(t: Tensor, mean: number, std: number, a: number, b: number, rng: Rng): Tensor {
  check(a < b, 'init', `truncNormal_ needs a < b, got a=${a}, b=${b}`);
  const v = t.view('init');
  fillNormal(v, mean, std, rng);
  const redraw = new Float32Array(1);
  for (let i = 0; i < v.length; i++) {
    while (v[i] < a || v[i] > b) {
      fillNormal(redraw, mean, std, rng);
      v[i] = redraw[0];
    }
  }
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  t.view('init').fill(value);
  return t;
}

/** PyTorch's default for Conv2d/Linear weights: kaiming_uniform_(a=√5), i.e. U(±1/√fan_in). */
export function kaimingUniform_(t: Tensor, a: number, rng: Rng): Tensor {
  const { fanIn } = fans(t.shape);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn);
  return uniform_(t, -bound, bound, rng);
}

/** kaiming_normal_(mode, nonlinearity='relu'): N(0, 2/fan). ResNet and VGG use mode 'fanOut'. */
export function kaimingNormal_(t: Tensor, mode: 'fanIn' | 'fanOut', rng: Rng): Tensor {
  const f = fans(t.shape);
  const std = Math.sqrt(2) / Math.sqrt(mode === 'fanIn' ? f.fanIn : f.fanOut);
  return normal_(t, 0, std, rng);
}

/** Rejects option keys a constructor does not know (API.md: unknown options are errors). */
export function checkOptions(op: string, opts: object, allowed: readonly string[]): void {
  check(opts !== null && typeof opts === 'object', op, `options must be an object, got ${String(opts)}`);
  checkKnownKeys(op, opts, allowed);
}

/** A positive integer or an [h, w] pair of them, as a pair. */
export function pair(v: number | readonly number[], op: string, arg: string, min = 1): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null;
  check(p !== null && p.every((x) => Number.isInteger(x) && x >= min), op, `${arg} must be an integer ≥ ${min} or an [h, w] pair of them, got ${JSON.stringify(v)}`);
  return p as [number, number];
}
