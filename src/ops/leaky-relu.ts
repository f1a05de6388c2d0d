import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { pointwiseJs } from './pointwise-js.js';

/** x for x > 0, negativeSlope·x otherwise; the gradient at 0 is negativeSlope (PyTorch's leaky_relu backward). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  check(typeof negativeSlope === 'number' && Number.isFinite(negativeSlope), 'leakyRelu', `negativeSlope must be a finite number, got ${String(negativeSlope)}`);
  return pointwiseJs('leakyRelu', x, (v) => (v > 0 ? v : v * negativeSlope), (v) => (v > 0 ? 1 : negativeSlope));
}
