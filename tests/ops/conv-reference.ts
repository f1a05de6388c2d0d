// Naive float64 convolution (forward and both gradients) used as the reference
// for shapes too large for fixtures (several row bands, groups, dilation).

export interface RefConv {
  N: number; C: number; H: number; W: number; OC: number; kH: number; kW: number;
  sH: number; sW: number; pH: number; pW: number; dH: number; dW: number; groups: number; OH: number; OW: number;
}

export function refGeometry(xs: number[], ws: number[], o: { stride?: number; padding?: number; dilation?: number; groups?: number }): RefConv {
  const [N, C, H, W] = xs;
  const [OC, , kH, kW] = ws;
  const s = o.stride ?? 1, p = o.padding ?? 0, d = o.dilation ?? 1;
  const OH = Math.floor((H + 2 * p - d * (kH - 1) - 1) / s) + 1;
  const OW = Math.floor((W + 2 * p - d * (kW - 1) - 1) / s) + 1;
  return { N, C, H, W, OC, kH, kW, sH: s, sW: s, pH: p, pW: p, dH: d, dW: d, groups: o.groups ?? 1, OH, OW };
}

/** Visits every (output, input, weight) index triple of the convolution. */
function each(g: RefConv, fn: (yi: number, xi: number, wi: number) => void): void {
  const Cg = g.C / g.groups, OCg = g.OC / g.groups;
  for (let n = 0; n < g.N; n++) for (let oc = 0; oc < g.OC; oc++) {
    const grp = Math.floor(oc / OCg);
    for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
      const yi = ((n * g.OC + oc) * g.OH + oh) * g.OW + ow;
      for (let ci = 0; ci < Cg; ci++) for (let kh = 0; kh < g.kH; kh++) {
        const ih = oh * g.sH - g.pH + kh * g.dH;
        if (ih < 0 || ih >= g.H) continue;
        for (let kw = 0; kw < g.kW; kw++) {
          const iw = ow * g.sW - g.pW + kw * g.dW;
          if (iw < 0 || iw >= g.W) continue;
          fn(yi, ((n * g.C + grp * Cg + ci) * g.H + ih) * g.W + iw, ((oc * Cg + ci) * g.kH + kh) * g.kW + kw);
        }
      }
    }
  }
}

export function refConv(g: RefConv, x: Float32Array, w: Float32Array, b: Float32Array | null, gy: Float32Array) {
  const y = new Float64Array(g.N * g.OC * g.OH * g.OW);
  const gx = new Float64Array(x.length);
  const gw = new Float64Array(w.length);
  const gb = new Float64Array(g.OC);
  const plane = g.OH * g.OW;
  for (let i = 0; i < y.length; i++) {
    const oc = Math.floor(i / plane) % g.OC;
    if (b) y[i] = b[oc];
    gb[oc] += gy[i];
  }
  each(g, (yi, xi, wi) => {
    y[yi] += x[xi] * w[wi];
    gx[xi] += gy[yi] * w[wi];
    gw[wi] += gy[yi] * x[xi];
  });
  return { y, gx, gw, gb };
}
