import type { Storage } from '../../storage.js';
import type { ConvGeom } from './geometry.js';
import * as depthwise from './depthwise.js';
import * as direct1x1 from './direct-1x1.js';
import * as im2col from './im2col.js';
import * as small from './small.js';
import * as winogradF2x2 from './winograd-f2x2-3x3.js';
import * as winogradF4x4 from './winograd-f4x4-3x3.js';

/** One way to compute a convolution: all three passes on wasm addresses. */
export interface ConvAlgorithm {
  /** Whether this algorithm can compute layers of this geometry at all. */
  applies(g: ConvGeom): boolean;
  /** y = conv(x, w) + b (b may be 0). */
  forward(g: ConvGeom, x: number, w: number, b: number, y: number): void;
  /**
   * The same when no gradient is recorded, for algorithms that keep a form
   * derived from w across calls (weight-cache.ts): `weights` is the storage
   * holding w, the cache's key. Same bits as forward.
   */
  forwardKeepingWeights?(g: ConvGeom, x: number, w: number, b: number, y: number, weights: Storage): void;
  /** dx (overwritten) from dy and w. */
  backwardData(g: ConvGeom, dy: number, w: number, dx: number): void;
  /** dw (overwritten) = Σ over the batch. */
  backwardFilter(g: ConvGeom, x: number, dy: number, dw: number): void;
}

/** Every algorithm, by the name the path chooser (choose-path.ts) and the tests use. */
export const CONV_ALGORITHMS = {
  'small': small,
  'depthwise': depthwise,
  'direct-1x1': direct1x1,
  'winograd-f2x2-3x3': winogradF2x2,
  'winograd-f4x4-3x3': winogradF4x4,
  'im2col': im2col,
} satisfies Record<string, ConvAlgorithm>;

export type ConvPath = keyof typeof CONV_ALGORITHMS;
