import { check, fmtShape, SimdnnError } from '../errors.js';
import { empty } from '../ops/basic.js';
import { Tensor } from '../tensor.js';
import { labelArray } from './labels.js';

/** Each row's first maximum (argmax's tie rule); NaN ranks above everything, as torch.argmax. */
function argmaxRows(v: Float32Array, N: number, C: number): Int32Array {
  const out = new Int32Array(N);
  for (let r = 0; r < N; r++) {
    let best = 0;
    for (let c = 1; c < C; c++) {
      const a = v[r * C + c];
      const b = v[r * C + best];
      if (!Number.isNaN(b) && (a > b || Number.isNaN(a))) best = c;
    }
    out[r] = best;
  }
  return out;
}

/**
 * The confusion matrix, an int32 tensor [C, C]: entry [i, j] counts rows whose
 * true class is i and predicted class j. `logitsOrPredictions` is float logits
 * [N, C] (prediction = first argmax) or predicted class indices.
 */
export function confusionMatrix(logitsOrPredictions: Tensor | Int32Array | number[], labels: Int32Array | number[] | Tensor, numClasses: number): Tensor {
  const op = 'confusionMatrix';
  check(Number.isInteger(numClasses) && numClasses > 0, op, `numClasses must be a positive integer, got ${String(numClasses)}`);
  let pred: Int32Array;
  const p = logitsOrPredictions;
  if (p instanceof Tensor && p.dtype === 'float32') {
    check(!p.isDisposed && p.shape.length === 2 && p.shape[1] === numClasses, op, () => `logits ${fmtShape(p.shape)} must be [N, ${numClasses}]`);
    pred = argmaxRows(p.view(op), p.shape[0], numClasses);
  } else {
    const n = p instanceof Tensor ? (p.shape.length === 1 ? p.shape[0] : -1) : Array.isArray(p) || p instanceof Int32Array ? p.length : -1;
    if (n < 0) throw new SimdnnError(op, 'logitsOrPredictions must be float logits [N, C] or class indices (Int32Array | number[] | int32 Tensor [N])');
    pred = labelArray(p, n, numClasses, op, 'predictions');
  }
  const y = labelArray(labels, pred.length, numClasses, op);
  const out = empty([numClasses, numClasses], op, 'int32');
  const v = out.viewInt32(op);
  v.fill(0);
  for (let i = 0; i < y.length; i++) v[y[i] * numClasses + pred[i]]++;
  return out;
}

/**
 * Per-class precision (diagonal / column sum) and recall (diagonal / row sum)
 * of a confusion matrix [C, C] (rows true, columns predicted); NaN for a class
 * never predicted (precision) or never present (recall), rather than a made-up 0.
 */
export function precisionRecall(confusion: Tensor): { precision: number[]; recall: number[] } {
  const op = 'precisionRecall';
  check(confusion instanceof Tensor && !confusion.isDisposed && confusion.shape.length === 2 && confusion.shape[0] === confusion.shape[1], op,
    'expects a confusion matrix tensor [C, C]');
  const C = confusion.shape[0];
  const m = confusion.toFloat32Array();
  const precision: number[] = [];
  const recall: number[] = [];
  for (let c = 0; c < C; c++) {
    let col = 0, row = 0;
    for (let k = 0; k < C; k++) {
      col += m[k * C + c];
      row += m[c * C + k];
    }
    precision.push(m[c * C + c] / col);
    recall.push(m[c * C + c] / row);
  }
  return { precision, recall };
}
