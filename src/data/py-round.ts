/**
 * Python's round() to an integer: halves go to the even neighbour (round(0.5)
 * is 0, round(2.5) is 2). torchvision computes crop sizes and offsets with it,
 * so matching its boxes needs it rather than Math.round.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
