/**
 * Convolutions run over bands of output rows (im2col) or tile rows (Winograd)
 * so that their temporary buffers stay bounded. Band sizes depend only on the
 * shapes, never on the thread count, so sums happen in the same order.
 */

/** Rows per band: at most `budget` floats per band, bands as even as possible. */
export function balancedRows(rows: number, floatsPerRow: number, budget: number): number {
  if (rows <= 0) return 1;
  const most = Math.max(1, Math.min(rows, Math.floor(budget / floatsPerRow)));
  return Math.ceil(rows / Math.ceil(rows / most));
}
