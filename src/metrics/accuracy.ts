import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { labelArray, logitsOf } from './labels.js';

/**
 * How many rows rank their label within the first `k` (one pass per k).
 * A label's rank is the number of classes scoring strictly higher, plus those
 * scoring the same at a lower index: argmax's first-index rule for k = 1, a
 * stable descending sort for k > 1, so ties never depend on the thread count
 * or the sort. A NaN logit row never counts as a hit.
 */
export function countCorrect(logits: Float32Array, classes: number, labels: Int32Array, ks: readonly number[]): number[] {
  const hits = ks.map(() => 0);
  for (let r = 0; r < labels.length; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const y = labels[r];
    const t = row[y];
    if (Number.isNaN(t)) continue;
    let above = 0;
    for (let c = 0; c < classes; c++) if (row[c] > t || (row[c] === t && c < y) || Number.isNaN(row[c])) above++;
    ks.forEach((k, i) => {
      if (above < k) hits[i]++;
    });
  }
  return hits;
}

/** The fraction (in [0, 1]) of rows of logits [N, C] whose label ranks within the top `topk` (default 1). */
export function accuracy(logits: Tensor, labels: Int32Array | number[] | Tensor, opts: { topk?: number } = {}): number {
  const op = 'accuracy';
  check(opts !== null && typeof opts === 'object', op, 'options must be an object, e.g. { topk: 5 }');
  for (const key of Object.keys(opts)) check(key === 'topk', op, `unknown option '${key}' (valid: topk)`);
  const x = logitsOf(logits, op);
  const [N, C] = x.shape;
  const k = opts.topk ?? 1;
  check(Number.isInteger(k) && k >= 1 && k <= C, op, `topk must be an integer in [1, ${C}], got ${String(k)}`);
  const y = labelArray(labels, N, C, op);
  check(N > 0, op, 'needs at least one row');
  return countCorrect(x.view(op), C, y, [k])[0] / N;
}
