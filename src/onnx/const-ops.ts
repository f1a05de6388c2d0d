// Shape arithmetic on constants in JS (the Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape subgraphs exporters write): no tensors, no kernels.
import { SimdnnError } from '../errors.js';
import { makeConst, type Const } from './constant.js';
import { broadcastOffsets, broadcastShapes } from './broadcast.js';

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new SimdnnError('onnx', `${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

export function constBinary(kind: string, a: Const, b: Const): Const {
  const out = broadcastShapes(a.dims, b.dims);
  if (!out) throw new SimdnnError('onnx', `${kind}: shapes [${a.dims}] and [${b.dims}] do not broadcast`);
  const ia = broadcastOffsets(out, a.dims);
  const ib = broadcastOffsets(out, b.dims);
  const isInt = a.type !== 'float' && b.type !== 'float';
  const v = new Float64Array(ia.length);
  for (let i = 0; i < v.length; i++) {
    const x = a.data[ia[i]];
    const y = b.data[ib[i]];
    v[i] = kind === 'Add' ? x + y : kind === 'Sub' ? x - y : kind === 'Mul' ? x * y : kind === 'Pow' ? Math.pow(x, y) : isInt ? Math.trunc(x / y) : x / y;
  }
  return makeConst(out, v, isInt ? 'int' : 'float');
}

export function constGather(data: Const, idx: Const, axis: number): Const {
  const a = normAxis(axis, data.dims.length, 'Gather axis');
  const outer = sizeOf(data.dims.slice(0, a));
  const n = data.dims[a];
  const inner = sizeOf(data.dims.slice(a + 1));
  const out = new Float64Array(outer * idx.data.length * inner);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const raw of idx.data) {
      const j = raw < 0 ? raw + n : raw;
      if (!Number.isInteger(j) || j < 0 || j >= n) throw new SimdnnError('onnx', `Gather index ${raw} is out of range for size ${n}`);
      for (let k = 0; k < inner; k++) out[o++] = data.data[(i * n + j) * inner + k];
    }
  }
  return makeConst([...data.dims.slice(0, a), ...idx.dims, ...data.dims.slice(a + 1)], out, data.type);
}

export function constConcat(parts: Const[], axis: number): Const {
  const rank = parts[0].dims.length;
  const a = normAxis(axis, rank, 'Concat axis');
  const outer = sizeOf(parts[0].dims.slice(0, a));
  const dims = parts[0].dims.slice();
  dims[a] = parts.reduce((s, p) => s + p.dims[a], 0);
  for (const p of parts) {
    if (p.dims.length !== rank || p.dims.some((d, i) => i !== a && d !== parts[0].dims[i])) throw new SimdnnError('onnx', `Concat: shapes [${p.dims}] and [${parts[0].dims}] differ outside axis ${a}`);
  }
  const out: number[] = [];
  for (let i = 0; i < outer; i++) {
    for (const p of parts) {
      const row = p.data.length / Math.max(outer, 1);
      for (let k = 0; k < row; k++) out.push(p.data[i * row + k]);
    }
  }
  return makeConst(dims, out, parts.every((p) => p.type === parts[0].type) ? parts[0].type : 'float');
}

/** Slice along the given axes with starts/ends/steps clamped as ONNX does. */
export function constSlice(data: Const, starts: number[], ends: number[], axes: number[], steps: number[]): Const {
  const rank = data.dims.length;
  const lo = data.dims.map(() => 0);
  const hi = data.dims.slice();
  const st = data.dims.map(() => 1);
  axes.forEach((ax, i) => {
    const a = normAxis(ax, rank, 'Slice axis');
    const n = data.dims[a];
    const step = steps[i] ?? 1;
    if (step === 0) throw new SimdnnError('onnx', 'Slice step 0');
    const clampTo = (v: number, min: number, max: number) => Math.min(Math.max(v < 0 ? v + n : v, min), max);
    lo[a] = step > 0 ? clampTo(starts[i], 0, n) : clampTo(starts[i], 0, n - 1);
    hi[a] = step > 0 ? clampTo(ends[i], 0, n) : clampTo(ends[i], -1, n - 1);
    st[a] = step;
  });
  const dims = data.dims.map((_, a) => Math.max(0, Math.ceil((hi[a] - lo[a]) / st[a])));
  const strides = data.dims.map((_, a) => sizeOf(data.dims.slice(a + 1)));
  const out: number[] = [];
  const pos = dims.map(() => 0);
  const total = sizeOf(dims);
  for (let i = 0; i < total; i++) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += (lo[a] + pos[a] * st[a]) * strides[a];
    out.push(data.data[off]);
    for (let a = rank - 1; a >= 0; a--) {
      if (++pos[a] < dims[a]) break;
      pos[a] = 0;
    }
  }
  return makeConst(dims, out, data.type);
}
