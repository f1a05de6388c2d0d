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

/**
 * Rows of the busiest thread when `threads` threads take bands of `rows` rows
 * (the last one shorter) in turns: band b on thread b mod threads.
 */
export function busiestThreadRows(R: number, rows: number, threads: number): number {
  const bands = Math.ceil(R / rows);
  let most = 0;
  for (let t = 0; t < Math.min(threads, bands); t++) {
    let sum = 0;
    for (let b = t; b < bands; b += threads) sum += Math.min(rows, R - b * rows);
    most = Math.max(most, sum);
  }
  return most;
}

/**
 * Rows per band, at most `rows`, for a pass whose threads take bands in turns
 * and whose band size does not change bits (every output value is computed
 * within one band): the size whose busiest thread has the fewest rows, among
 * sizes down to half of `rows`, counting each band a thread runs as `bandCost`
 * rows more (a band re-reads the filters; smaller bands make narrower GEMMs);
 * ties go to the larger bands. R = 112 tile rows of at most 6 on 2 threads:
 * 19 bands of 6 give one thread 58 rows and the other 54; 28 bands of 4 give
 * both 56.
 */
export function threadBalancedRows(R: number, rows: number, threads: number, bandCost = 0.25): number {
  let best = rows;
  let bestCost = Infinity;
  for (let r = rows; r >= Math.max(1, Math.ceil(rows / 2)); r--) {
    const cost = busiestThreadRows(R, r, threads) + bandCost * Math.ceil(Math.ceil(R / r) / threads);
    if (cost < bestCost) { best = r; bestCost = cost; }
  }
  return best;
}
