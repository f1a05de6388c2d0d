// The path src/ops/conv2d/choose-path.ts (and gemm-orientation.ts) takes for a
// conv layer L = { N, C, OC, H, W, k, s, p, groups? }; kept in step with it by
// hand except the Winograd tile, which asks the cost model itself
// (src/ops/conv2d/winograd-tile.ts through sn._internal). Printed beside the timings.
import * as sn from '../../dist/index.js';

export function isDepthwise(L) { return (L.groups ?? 1) === L.C && L.C > 1; }

const outSize = (L) => Math.floor((L.H + 2 * L.p - L.k) / L.s) + 1;

export function pathOf(L) {
  if (isDepthwise(L)) return 'depthwise direct (conv2d/depthwise.ts)';
  const orient = L.OC <= 64 ? 'colᵀ·Wᵀ' : 'W·col';
  if (L.k === 1 && L.s === 1 && L.p === 0) return `1x1 direct GEMM, ${orient}`;
  if (L.k === 3 && L.s === 1 && L.p <= 2 && L.C >= 16 && L.OC >= 16) {
    if (L.N === undefined || L.H === undefined) return 'Winograd, F(2x2,3x3) or F(4x4,3x3) per pass by the cost model';
    const O = outSize(L);
    const tile = (s, pass) => `F${sn._internal.chooseWinogradTile(s, pass)}`;
    const fwd = tile({ N: L.N, Cin: L.C, Cout: L.OC, OH: O, OW: O }, 'forward');
    const data = tile({ N: L.N, Cin: L.OC, Cout: L.C, OH: L.H, OW: L.W }, 'forward');
    const dw = tile({ N: L.N, Cin: L.C, Cout: L.OC, OH: O, OW: O }, 'filter');
    return `Winograd fwd ${fwd}, data ${data}, dW ${dw} (F2 = F(2x2,3x3), F4 = F(4x4,3x3))`;
  }
  return `im2col + GEMM, ${orient}`;
}
