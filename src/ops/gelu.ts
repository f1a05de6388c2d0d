import type { Tensor } from '../tensor.js';
import { pointwiseJs } from './pointwise-js.js';

/**
 * erfc with fractional error < 1.2e-7 everywhere (Numerical Recipes' Chebyshev
 * fit): relative accuracy in the tail matters, since GELU(x) for x ≪ 0 is x·Φ(x)
 * with Φ(x) tiny, and 1 + erf(x) there would lose every digit.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** The standard normal CDF Φ(x) = erfc(−x/√2) / 2. */
const cdf = (x: number) => 0.5 * erfc(-x * Math.SQRT1_2);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU, PyTorch's default exact form x·Φ(x) (approximate = 'none'); dx = Φ(x) + x·φ(x). */
export function gelu(x: Tensor): Tensor {
  return pointwiseJs('gelu', x, (v) => v * cdf(v), (v) => cdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
}
