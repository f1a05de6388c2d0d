import { check, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, liveTensor } from './args.js';
import { copyOf } from './basic.js';
import { record } from '../autograd.js';
import { takeAlongDim } from './indexing.js';
import { copyLike } from './raw-data.js';

export type PadMode = 'constant' | 'reflect' | 'replicate';

/** For each output position along a dim of size n padded by (lo, hi): the input position, or -1 (the constant). */
function sourcePositions(n: number, lo: number, hi: number, mode: PadMode): Int32Array {
  const m = n + lo + hi;
  const idx = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    let i = j - lo;
    if (mode === 'reflect') {
      if (i < 0) i = -i;
      if (i >= n) i = 2 * (n - 1) - i;
    } else if (mode === 'replicate') {
      i = Math.min(n - 1, Math.max(0, i));
    } else if (i < 0 || i >= n) i = -1;
    idx[j] = i;
  }
  return idx;
}

/**
 * Pads (or, with negative constant pads, crops) the last dims: `pads` is
 * [left, right] of the last dim, then of the one before, … as PyTorch's F.pad.
 * 'reflect' mirrors without repeating the edge (pads < size), 'replicate'
 * repeats the edge. Gradients of reflect/replicate sum the mirrored and
 * repeated positions back (in output order: the same bits every run).
 */
export function pad(x: Tensor, pads: number[], opts?: { mode?: PadMode; value?: number }): Tensor {
  const op = 'pad';
  liveTensor(x, op, 'input');
  const o = checkOptions(opts, op, ['mode', 'value']);
  const mode = (o.mode ?? 'constant') as PadMode;
  check(mode === 'constant' || mode === 'reflect' || mode === 'replicate', op, () => `mode must be 'constant', 'reflect' or 'replicate', got ${String(o.mode)}`);
  const value = o.value ?? 0;
  check(typeof value === 'number', op, () => `value must be a number, got ${typeof value}`);
  check(mode === 'constant' || value === 0, op, () => `value is only used with mode 'constant' (mode is '${mode}')`);
  check(Array.isArray(pads) && pads.length % 2 === 0, op, () => `pads must be an array of even length [left, right, top, bottom, …], got ${Array.isArray(pads) ? fmtShape(pads) : String(pads)}`);
  pads.forEach((p, i) => check(Number.isInteger(p), op, () => `pads[${i}] must be an integer, got ${String(p)}`));
  const r = x.shape.length;
  check(pads.length / 2 <= r, op, () => `pads ${fmtShape(pads)} pad ${pads.length / 2} dims but input ${fmtShape(x.shape)} has ${r}`);
  // Check every dim before computing anything (nothing is made on failure).
  const plan: [number, number, number][] = [];
  for (let k = 0; k < pads.length / 2; k++) {
    const d = r - 1 - k;
    const [lo, hi] = [pads[2 * k], pads[2 * k + 1]];
    const n = x.shape[d];
    if (mode === 'constant') {
      check(n + lo + hi >= 0, op, () => `pads ${fmtShape(pads)} leave a negative size at dim ${d} of input ${fmtShape(x.shape)}`);
    } else {
      check(lo >= 0 && hi >= 0, op, () => `negative pads ${fmtShape(pads)} are only allowed in mode 'constant'`);
      if (mode === 'reflect') {
        check(lo < n && hi < n, op, () => `reflect pads (${lo}, ${hi}) must be smaller than dim ${d} of size ${n} (input ${fmtShape(x.shape)})`);
      } else {
        check(n > 0 || lo + hi === 0, op, () => `replicate cannot pad dim ${d} of size 0 (input ${fmtShape(x.shape)})`);
      }
    }
    if (lo !== 0 || hi !== 0) plan.push([d, lo, hi]);
  }
  if (plan.length === 0) return record(op, copyLike(x, op), [x], (g) => [copyOf(g, op)]);
  let y = x;
  for (const [d, lo, hi] of plan) {
    const next = takeAlongDim(op, y, d, sourcePositions(y.shape[d], lo, hi, mode), value);
    if (y !== x && !y.requiresGrad) y.dispose(); // an intermediate nobody else holds
    y = next;
  }
  return y;
}

