// The Winograd forward pass's band sizes: shrunk to whole GEMM column panels when a size down to half allows.
import { describe, expect, it } from 'vitest';
import { NR } from '../../src/runtime/kernel-table.generated.js';
import { wholePanelRows } from '../../src/ops/conv2d/winograd-forward.js';

describe('wholePanelRows', () => {
  it('takes the largest size down to half the band whose tiles fill whole NR-column panels', () => {
    expect(NR).toBe(8);
    expect(wholePanelRows(5, 14)).toBe(4); // ResNet-18 56² at batch 1: 70 tiles -> 56
    expect(wholePanelRows(6, 14)).toBe(4); // batch 8: 84 tiles -> 56
    expect(wholePanelRows(4, 4)).toBe(4); // already whole
    expect(wholePanelRows(12, 10)).toBe(12); // 120 tiles
    expect(wholePanelRows(9, 10)).toBe(8); // 90 -> 80
  });
  it('keeps the band when no size down to half fills whole panels', () => {
    expect(wholePanelRows(7, 7)).toBe(7); // 49..28 tiles: none a multiple of 8
    expect(wholePanelRows(3, 5)).toBe(3); // 15, 10
    expect(wholePanelRows(1, 3)).toBe(1);
  });
});
