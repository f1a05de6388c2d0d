import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

const logits = () => sn.tensor([
  0.1, 0.7, 0.2, // argmax 1
  0.5, 0.5, 0.0, // tie: first index 0
  0.0, 0.3, 0.9, // argmax 2
  0.8, 0.1, 0.6, // argmax 0, then 2
], [4, 3]);

describe('sn.metrics', () => {
  it('accuracy and top-k with argmax\'s tie rule; labels as array, Int32Array or int32 tensor', () => {
    expect(sn.metrics.accuracy(logits(), [1, 0, 2, 2])).toBe(0.75);
    expect(sn.metrics.accuracy(logits(), [1, 1, 2, 2])).toBe(0.5); // the tie goes to class 0
    expect(sn.metrics.accuracy(logits(), Int32Array.from([1, 1, 2, 2]), { topk: 2 })).toBe(1);
    expect(sn.metrics.accuracy(logits(), sn.tensor([0, 2, 1, 2], [4], { dtype: 'int32' }), { topk: 2 })).toBe(0.5);
    expect(sn.metrics.accuracy(logits(), [0, 2, 0, 1], { topk: 3 })).toBe(1);
  });
  it('confusion matrix: rows true, columns predicted, int32; precision and recall', () => {
    const cm = sn.metrics.confusionMatrix(logits(), [1, 0, 2, 2], 3);
    expect(cm.dtype).toBe('int32');
    expect(cm.shape).toEqual([3, 3]);
    expect(Array.from(cm.toInt32Array())).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 1]);
    const same = sn.metrics.confusionMatrix(sn.tensor([1, 0, 2, 0], [4], { dtype: 'int32' }), [1, 0, 2, 2], 3);
    expect(Array.from(same.toInt32Array())).toEqual(Array.from(cm.toInt32Array()));
    const { precision, recall } = sn.metrics.precisionRecall(cm);
    expect(precision).toEqual([0.5, 1, 1]);
    expect(recall).toEqual([1, 1, 0.5]);
    expect(sn.metrics.precisionRecall(sn.metrics.confusionMatrix([0], [0], 2)).recall[1]).toBeNaN();
  });
  it('bad input is a SimdnnError naming the op', () => {
    expect(() => sn.metrics.accuracy(logits(), [1, 0, 2])).toThrow(/accuracy: labels has 3 entries for 4 rows/);
    expect(() => sn.metrics.accuracy(logits(), [1, 0, 2, 3])).toThrow(/accuracy: labels\[3\] = 3 is not a class index/);
    expect(() => sn.metrics.accuracy(logits(), [1, 0, 2, 2], { topk: 4 })).toThrow(/accuracy: topk must be an integer in \[1, 3\]/);
    expect(() => sn.metrics.accuracy(sn.zeros([4]), [1])).toThrow(/accuracy: logits must be a float32 tensor \[N, C\]/);
    expect(() => sn.metrics.confusionMatrix(logits(), [1, 0, 2, 2], 4)).toThrow(/confusionMatrix: logits \[4,3\] must be \[N, 4\]/);
    expect(() => sn.metrics.confusionMatrix([0, 5], [0, 1], 3)).toThrow(/confusionMatrix: predictions\[1\] = 5/);
  });
});
