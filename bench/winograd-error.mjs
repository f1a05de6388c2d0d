// Numerical error of each Winograd tile against a float64 reference on the
// zoo's 3x3 stride-1 layers (ResNet-18/50, VGG-11/16, GoogLeNet's inception
// branches; batch 2, padding 1):
//
//   npm run build && node bench/run.mjs winograd-error
//
// For F(2x2,3x3)/F(3x3,2x2), F(4x4,3x3)/F(3x3,4x4) and F(6x6,3x3) (forward
// and data gradient only: there is no F(3x3,6x6), so its filter column is
// left out), forced, the forward pass, data gradient and filter gradient are
// computed in float32 by simdnn
// and, at 2,000 sampled elements each, in float64 here. Printed per pass:
// - rel: max |err| / max |ref| over the samples (normwise relative error);
// - tol: max |err| / (1e-4 + 1e-4·|ref|), the PyTorch-oracle tests' criterion
//   (tests/ops/conv2d.test.ts), which passes when <= 1.
// Data: x uniform in [-1, 1], weights uniform with He scale (std √(2/9C)),
// dy uniform in [-1, 1] / √(OC·9) (keeps gradients O(1)), fixed seeds.
import * as sn from '../dist/index.js';

const LAYERS = [
  { name: 'ResNet-18 56² 64→64', C: 64, OC: 64, H: 56 },
  { name: 'ResNet-18 28² 128→128', C: 128, OC: 128, H: 28 },
  { name: 'ResNet-18 14² 256→256', C: 256, OC: 256, H: 14 },
  { name: 'ResNet-18 7² 512→512', C: 512, OC: 512, H: 7 },
  { name: 'VGG-16 224² 64→64', C: 64, OC: 64, H: 224 },
  { name: 'VGG-16 112² 128→128', C: 128, OC: 128, H: 112 },
  { name: 'VGG-16 56² 256→256', C: 256, OC: 256, H: 56 },
  { name: 'VGG-16 28² 512→512', C: 512, OC: 512, H: 28 },
  { name: 'VGG-16 14² 512→512', C: 512, OC: 512, H: 14 },
  { name: 'GoogLeNet 3a 28² 16→32', C: 16, OC: 32, H: 28 },
  { name: 'GoogLeNet 3b 28² 32→96', C: 32, OC: 96, H: 28 },
  { name: 'GoogLeNet 3a 28² 96→128', C: 96, OC: 128, H: 28 },
  { name: 'GoogLeNet 4a 14² 16→48', C: 16, OC: 48, H: 14 },
  { name: 'GoogLeNet 4e 14² 160→320', C: 160, OC: 320, H: 14 },
  { name: 'GoogLeNet 5b 7² 48→128', C: 48, OC: 128, H: 7 },
];
const N = 2;
const SAMPLES = 2000;

function uniform(n, seed, scale) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return a;
}

function run(L, tile, xs, ws, dys) {
  sn._internal.forceWinogradTile(tile);
  try {
    const x = sn.tensor(xs, [N, L.C, L.H, L.H], { requiresGrad: true });
    const w = sn.tensor(ws, [L.OC, L.C, 3, 3], { requiresGrad: true });
    const y = sn.F.conv2d(x, w, null, { padding: 1 });
    y.backward(sn.tensor(dys, y.shape));
    const out = { y: y.toFloat32Array(), gx: x.grad.toFloat32Array(), gw: w.grad.toFloat32Array() };
    for (const t of [x, w, y, x.grad, w.grad]) t.dispose();
    return out;
  } finally {
    sn._internal.forceWinogradTile(null);
  }
}

/** float64 references at the sampled flat indices of y, dx and dw. */
function reference(L, x, w, dy, picks) {
  const H = L.H, C = L.C, OC = L.OC, HW = H * H;
  const at = (a, n, c, h, ww, Cn) => (h < 0 || h >= H || ww < 0 || ww >= H ? 0 : a[((n * Cn + c) * H + h) * H + ww]);
  const y = picks.y.map((f) => {
    const ow = f % H, oh = Math.floor(f / H) % H, o = Math.floor(f / HW) % OC, n = Math.floor(f / (HW * OC));
    let s = 0;
    for (let c = 0; c < C; c++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) s += w[((o * C + c) * 3 + kh) * 3 + kw] * at(x, n, c, oh + kh - 1, ow + kw - 1, C);
    return s;
  });
  const gx = picks.gx.map((f) => {
    const iw = f % H, ih = Math.floor(f / H) % H, c = Math.floor(f / HW) % C, n = Math.floor(f / (HW * C));
    let s = 0;
    for (let o = 0; o < OC; o++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) s += w[((o * C + c) * 3 + kh) * 3 + kw] * at(dy, n, o, ih - kh + 1, iw - kw + 1, OC);
    return s;
  });
  const gw = picks.gw.map((f) => {
    const kw = f % 3, kh = Math.floor(f / 3) % 3, c = Math.floor(f / 9) % C, o = Math.floor(f / (9 * C));
    let s = 0;
    for (let n = 0; n < N; n++) for (let oh = 0; oh < H; oh++) for (let ow = 0; ow < H; ow++) s += dy[((n * OC + o) * H + oh) * H + ow] * at(x, n, c, oh + kh - 1, ow + kw - 1, C);
    return s;
  });
  return { y, gx, gw };
}

function errors(got, picks, ref) {
  let maxErr = 0, maxRef = 0, tol = 0;
  picks.forEach((f, k) => {
    const e = Math.abs(got[f] - ref[k]);
    maxErr = Math.max(maxErr, e);
    maxRef = Math.max(maxRef, Math.abs(ref[k]));
    tol = Math.max(tol, e / (1e-4 + 1e-4 * Math.abs(ref[k])));
  });
  return `rel ${(maxErr / maxRef).toExponential(2)} tol ${tol.toFixed(3)}`;
}

await sn.init({ threads: 1 });
console.log(`Winograd error vs float64, batch ${N}, ${SAMPLES} sampled elements per pass; rel = max|err|/max|ref|, tol <= 1 passes the oracle tests' 1e-4/1e-4`);
console.log('layer | tile | forward | data gradient | filter gradient');
for (const L of LAYERS) {
  const xs = uniform(N * L.C * L.H * L.H, 1, 1);
  const ws = uniform(L.OC * L.C * 9, 2, Math.sqrt(3) * Math.sqrt(2 / (9 * L.C)));
  const dys = uniform(N * L.OC * L.H * L.H, 3, 1 / Math.sqrt(9 * L.OC));
  const pick = (n, seed) => Array.from(uniform(SAMPLES, seed, 0.5), (u) => Math.floor((u + 0.5) * n) % n);
  const picks = { y: pick(dys.length, 4), gx: pick(xs.length, 5), gw: pick(ws.length, 6) };
  const ref = reference(L, xs, ws, dys, picks);
  for (const tile of [2, 4, 6]) {
    const r = run(L, tile, xs, ws, dys);
    const gw = tile === 6 ? '—' : errors(r.gw, picks.gw, ref.gw);
    console.log(`${L.name} | F${tile} | ${errors(r.y, picks.y, ref.y)} | ${errors(r.gx, picks.gx, ref.gx)} | ${gw}`);
  }
}
sn.shutdown();
