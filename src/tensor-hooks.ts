import type { Tensor } from './tensor.js';

/**
 * Tensor methods implemented by ops (clone, reshape, backward) are bound here
 * at load time, which keeps tensor.ts free of import cycles with the ops.
 */
export const tensorHooks: {
  clone?: (t: Tensor) => Tensor;
  reshape?: (t: Tensor, shape: number[]) => Tensor;
  backward?: (t: Tensor, grad?: Tensor, opts?: { retainGraph?: boolean }) => void;
} = {};
