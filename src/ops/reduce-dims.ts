import { check, fmtShape } from '../errors.js';
import { shapeSize } from '../tensor.js';
import { normDim } from './args.js';

/** The dims to reduce, sorted and distinct: all of them when `dim` is undefined/null; negative dims count from the end. */
export function reduceDims(dim: unknown, shape: readonly number[], op: string): number[] {
  const rank = shape.length;
  if (dim === undefined || dim === null) return shape.map((_, i) => i);
  const list = Array.isArray(dim) ? dim : [dim];
  const dims = list.map((d) => normDim(d, rank, op, shape));
  const sorted = [...new Set(dims)].sort((a, b) => a - b);
  check(sorted.length === dims.length, op, () => `dim ${JSON.stringify(dim)} names a dimension twice (input ${fmtShape(shape)})`);
  return rank === 0 ? [] : sorted;
}

/** The reduced shape: reduced dims become 1 (keepdim) or disappear. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/**
 * The reduction as a sequence of single-axis steps over [outer, len, inner]
 * views: runs of adjacent reduced dims collapse into one axis, innermost run
 * first. Each step leaves a keepdim-shaped result for the next.
 */
export interface AxisStep { outer: number; len: number; inner: number; first: number; last: number }

export function axisSteps(shape: readonly number[], dims: readonly number[]): AxisStep[] {
  const runs: [number, number][] = [];
  for (const d of dims) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  const cur = shape.slice();
  const steps: AxisStep[] = [];
  for (let r = runs.length - 1; r >= 0; r--) {
    const [d0, d1] = runs[r];
    steps.push({ outer: shapeSize(cur.slice(0, d0)), len: shapeSize(cur.slice(d0, d1 + 1)), inner: shapeSize(cur.slice(d1 + 1)), first: d0, last: d1 });
    for (let d = d0; d <= d1; d++) cur[d] = 1;
  }
  return steps;
}

/** [outer, len, inner] around one dim of `shape`. */
export function around(shape: readonly number[], d: number): { outer: number; len: number; inner: number } {
  if (shape.length === 0) return { outer: 1, len: 1, inner: 1 };
  return { outer: shapeSize(shape.slice(0, d)), len: shape[d], inner: shapeSize(shape.slice(d + 1)) };
}
