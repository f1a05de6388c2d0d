import { record } from '../autograd.js';
import { check, fmtShape, SimdnnError } from '../errors.js';
import { shapeSize, Tensor } from '../tensor.js';
import { floatTensor, requireFloat } from './args.js';
import { empty } from './basic.js';
import { lossOptions, type Reduction } from './reduction.js';

/** Class-index targets for a [N, C, d1…] input as an Int32Array of N·d1·… entries, checked against C and ignoreIndex. */
export function classTargets(target: unknown, input: Tensor, ignoreIndex: number, op: string): Int32Array {
  const C = input.shape[1];
  const posShape = [input.shape[0], ...input.shape.slice(2)];
  const n = shapeSize(posShape);
  let idx: Int32Array;
  if (target instanceof Tensor) {
    check(target.dtype === 'int32', op, () => `a class-index target tensor must be int32, got ${target.dtype} ${fmtShape(target.shape)}`);
    check(target.shape.length === posShape.length && target.shape.every((d, i) => d === posShape[i]), op,
      () => `target ${fmtShape(target.shape)} must have shape ${fmtShape(posShape)} for input ${fmtShape(input.shape)}`);
    idx = target.toInt32Array();
  } else {
    check(target instanceof Int32Array || Array.isArray(target), op, 'target must be class indices (Int32Array | number[] | int32 Tensor)');
    const t = target as ArrayLike<unknown>;
    check(t.length === n, op, () => `target has ${t.length} class indices for input ${fmtShape(input.shape)} (expected ${n})`);
    idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const y = t[i];
      if (!Number.isInteger(y)) throw new SimdnnError(op, `target[${i}] = ${String(y)} is not an integer class index`);
      idx[i] = y as number;
    }
  }
  for (let i = 0; i < n; i++) {
    const y = idx[i];
    if (y !== ignoreIndex && (y < 0 || y >= C)) {
      throw new SimdnnError(op, `target[${i}] = ${y} is not a class index in [0, ${C}) nor ignoreIndex ${ignoreIndex} (input ${fmtShape(input.shape)})`);
    }
  }
  return idx;
}

/** A per-class weight: a float tensor [C], read once (a copy, so a later change to it does not alter the gradient). */
export function classWeight(weight: unknown, C: number, op: string): Float64Array | null {
  if (weight === undefined || weight === null) return null;
  check(weight instanceof Tensor, op, 'weight must be a Tensor [C]');
  requireFloat(weight, op, 'weight');
  check(weight.shape.length === 1 && weight.shape[0] === C, op, () => `weight ${fmtShape(weight.shape)} must be [${C}] (one per class)`);
  return Float64Array.from(weight.view(op));
}

export interface NllSpec {
  /** Class indices, one per position (N·d1·…), or null for a probability target. */
  idx: Int32Array | null;
  /** A probability target with the input's shape (receives a gradient when it requires one). */
  soft: Tensor | null;
  weight: Float64Array | null;
  ignoreIndex: number;
  labelSmoothing: number;
  reduction: Reduction;
}

/**
 * −Σ_c w_c·t_c·logp_c over a [N, C, d1…] tensor of log-probabilities, with
 * PyTorch 1.13's exact conventions (LossNLL.cpp): index targets mix
 * (1−ε)·nll + ε/C·smooth, where smooth = −Σ_c w_c·logp_c; ignored positions
 * contribute 0; 'mean' divides the nll term by Σ w_{y_i} over non-ignored
 * positions (their count without a weight), and so does the smooth term (checked
 * against torch 1.13's output). A probability target is
 * smoothed to (1−ε)·t + ε/C and 'mean' divides by the number of positions.
 * Sums in float64 in a fixed order (same bits for any thread count).
 */
export function weightedNll(op: string, logp: Tensor, s: NllSpec): Tensor {
  const [N, C] = logp.shape;
  const S = shapeSize(logp.shape.slice(2));
  const P = N * S;
  const eps = s.labelSmoothing;
  const w = s.weight;
  const lp = logp.view(op);
  const soft = s.soft ? s.soft.view(op) : null;
  const row = new Float64Array(P); // per-position loss
  const nllPart = new Float64Array(P);
  const smoothPart = new Float64Array(P);
  let wsum = 0;
  for (let n = 0; n < N; n++) {
    for (let sp = 0; sp < S; sp++) {
      const p = n * S + sp;
      const base = n * C * S + sp;
      if (soft) {
        let acc = 0;
        for (let c = 0; c < C; c++) {
          const o = base + c * S;
          acc -= (w ? w[c] : 1) * ((1 - eps) * soft[o] + eps / C) * lp[o];
        }
        row[p] = acc;
        continue;
      }
      const y = s.idx![p];
      if (y === s.ignoreIndex) continue;
      const wy = w ? w[y] : 1;
      wsum += wy;
      nllPart[p] = -wy * lp[base + y * S];
      if (eps > 0) {
        let acc = 0;
        for (let c = 0; c < C; c++) acc -= (w ? w[c] : 1) * lp[base + c * S];
        smoothPart[p] = acc;
      }
      row[p] = (1 - eps) * nllPart[p] + (eps / C) * smoothPart[p];
    }
  }
  // Divisors of the nll and smooth terms under 'mean'.
  const nllDiv = soft ? P : wsum;
  const smoothDiv = nllDiv; // torch 1.13 divides both terms by Σ w_{y_i} over non-ignored positions
  const posShape = [N, ...logp.shape.slice(2)];
  let out: Tensor;
  if (s.reduction === 'none') {
    out = empty(posShape, op);
    out.view(op).set(row);
  } else {
    let total: number;
    if (soft) {
      total = 0;
      for (let p = 0; p < P; p++) total += row[p];
      if (s.reduction === 'mean') total /= P;
    } else {
      let a = 0;
      let b = 0;
      for (let p = 0; p < P; p++) {
        a += nllPart[p];
        b += smoothPart[p];
      }
      total = s.reduction === 'mean' ? (1 - eps) * (a / nllDiv) + (eps / C) * (b / smoothDiv) : (1 - eps) * a + (eps / C) * b;
    }
    out = empty([], op);
    out.view(op)[0] = total;
  }
  const inputs = s.soft ? [logp, s.soft] : [logp];
  return record(op, out, inputs, (g) => {
    const gl = logp.requiresGrad ? empty(logp.shape, op) : null;
    const gt = s.soft && s.soft.requiresGrad ? empty(logp.shape, op) : null;
    const gv = g.view(op);
    const lpv = logp.view(op);
    const sv = s.soft ? s.soft.view(op) : null;
    const glv = gl ? gl.view(op) : null;
    const gtv = gt ? gt.view(op) : null;
    for (let n = 0; n < N; n++) {
      for (let sp = 0; sp < S; sp++) {
        const p = n * S + sp;
        const base = n * C * S + sp;
        const gp = s.reduction === 'none' ? gv[p] : gv[0];
        if (sv) {
          const k = s.reduction === 'mean' ? gp / P : gp;
          for (let c = 0; c < C; c++) {
            const o = base + c * S;
            const wc = w ? w[c] : 1;
            if (glv) glv[o] = -wc * ((1 - eps) * sv[o] + eps / C) * k;
            if (gtv) gtv[o] = -wc * (1 - eps) * lpv[o] * k;
          }
          continue;
        }
        const y = s.idx![p];
        const a = s.reduction === 'mean' ? gp / nllDiv : gp;
        const b = s.reduction === 'mean' ? gp / smoothDiv : gp;
        for (let c = 0; c < C; c++) {
          const o = base + c * S;
          if (y === s.ignoreIndex) glv![o] = 0;
          else glv![o] = -(1 - eps) * (c === y ? (w ? w[y] : 1) : 0) * a - (eps / C) * (w ? w[c] : 1) * b;
        }
      }
    }
    return s.soft ? [gl, gt] : [gl];
  });
}

export interface NllLossOptions {
  reduction?: Reduction;
  weight?: Tensor | null;
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood of log-probabilities [N, C] or [N, C, d1…] (PyTorch's
 * `F.nll_loss`): −w_y·logp_y per position; 'mean' divides by the sum of the
 * weights of the non-ignored targets (NaN when every target is ignored, as torch).
 */
export function nllLoss(logProbs: Tensor, target: Int32Array | number[] | Tensor, opts: NllLossOptions = {}): Tensor {
  const op = 'nllLoss';
  const reduction = lossOptions(op, opts, ['weight', 'ignoreIndex']);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex), op, `ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  const x = floatTensor(logProbs, op, 'input');
  check(x.shape.length >= 2 && x.shape[1] > 0, op, () => `input must be log-probabilities [N, C] or [N, C, d1, ...], got ${fmtShape(x.shape)}`);
  const weight = classWeight(opts.weight, x.shape[1], op);
  const idx = classTargets(target, x, ignoreIndex, op);
  x.ptr(op);
  return weightedNll(op, x, { idx, soft: null, weight, ignoreIndex, labelSmoothing: 0, reduction });
}
