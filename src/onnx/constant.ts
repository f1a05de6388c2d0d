// Values the graph knows without running a kernel: integer and small float
// tensors (shapes, axes, Constant nodes, non-float initializers) held in JS,
// never in wasm memory. Shape subgraphs (Shape -> Gather -> Unsqueeze -> Concat
// -> Reshape) compute on these: folded once at load where every input is
// constant, and in JS at run time where they start from an activation's Shape.
import { SimdnnError } from '../errors.js';

export type ConstType = 'float' | 'int' | 'bool';

export interface Const {
  readonly kind: 'const';
  readonly dims: number[];
  readonly type: ConstType;
  /** float64 holds every int32 and every safe int64 exactly. */
  readonly data: Float64Array;
}

export function makeConst(dims: number[], data: ArrayLike<number>, type: ConstType): Const {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new SimdnnError('loadOnnx', `internal: constant of shape [${dims.join(',')}] given ${data.length} values`);
  return { kind: 'const', dims: dims.slice(), type, data: Float64Array.from(data) };
}

export function isConst(v: unknown): v is Const {
  return typeof v === 'object' && v !== null && (v as Const).kind === 'const';
}

/** The values as integers (axes, shapes, pads), rejecting fractions. */
export function intsOf(c: Const, what: string): number[] {
  const out = Array.from(c.data);
  for (const v of out) if (!Number.isInteger(v)) throw new SimdnnError('onnx', `${what} must be integers, got ${v}`);
  return out;
}
