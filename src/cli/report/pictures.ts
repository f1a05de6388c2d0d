import { Raster } from './raster.js';

/** The run's per-epoch numbers the report draws. */
export type EpochRecord = Record<string, number>;

export const SERIES = {
  trainLoss: [31, 119, 180], testLoss: [255, 127, 14], trainAccuracy: [44, 160, 44], testAccuracy: [214, 39, 40], lr: [148, 103, 189],
} as const;

/** Each series' points scaled into a `w`x`h` box (y: 0 at the top), sharing one range per plot. */
export function plotPoints(history: EpochRecord[], keys: (keyof typeof SERIES)[], w: number, h: number, pad = 8): { key: string; points: [number, number][] }[] {
  const values = keys.flatMap((k) => history.map((e) => e[k])).filter(Number.isFinite);
  // The data's own range (a loss from 2.30 to 2.27 must not look flat), widened by 5 % each way.
  const min = Math.min(...values), max = Math.max(...values);
  const margin = Math.max((max - min) * 0.05, Math.abs(max) * 1e-3, 1e-12);
  const lo = min - margin, hi = max + margin;
  const x = (i: number) => pad + (history.length === 1 ? (w - 2 * pad) / 2 : (i * (w - 2 * pad)) / (history.length - 1));
  const y = (v: number) => h - pad - ((v - lo) / (hi - lo)) * (h - 2 * pad);
  return keys.map((key) => ({ key, points: history.map((e, i) => [x(i), y(e[key])] as [number, number]) }));
}

/** A curve plot as a picture: axes, and each series as a line (colours as in the HTML legend). */
export function curvesRaster(history: EpochRecord[], keys: (keyof typeof SERIES)[], w = 480, h = 240): Raster {
  const r = new Raster(w, h);
  r.line(8, 8, 8, h - 8, [120, 120, 120]);
  r.line(8, h - 8, w - 8, h - 8, [120, 120, 120]);
  for (const { key, points } of plotPoints(history, keys, w, h)) {
    const c = SERIES[key as keyof typeof SERIES];
    points.forEach(([x, y], i) => {
      if (i > 0) r.line(points[i - 1][0], points[i - 1][1], x, y, c);
      r.fillRect(Math.round(x) - 2, Math.round(y) - 2, 5, 5, c);
    });
  }
  return r;
}

/** Rows: true class, columns: predicted; counts. */
export function confusionMatrix(target: Int32Array, pred: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < target.length; i++) m[target[i]][pred[i]]++;
  return m;
}

/** The matrix as a picture: each cell's blue is its share of its row (the class's images). */
export function confusionRaster(m: number[][], cell = Math.max(4, Math.min(32, Math.floor(480 / Math.max(1, m.length))))): Raster {
  const n = m.length, r = new Raster(n * cell, n * cell);
  m.forEach((row, i) => {
    const total = row.reduce((s, v) => s + v, 0) || 1;
    row.forEach((v, j) => {
      const t = v / total;
      r.fillRect(j * cell, i * cell, cell, cell, [Math.round(255 * (1 - t)), Math.round(255 * (1 - 0.6 * t)), 255]);
    });
  });
  return r;
}

/**
 * The first convolution's filters as a grid of little pictures (the lecture's
 * AlexNet figure): each filter scaled to [0, 1] by its own min and max, RGB
 * when it has 3 input channels, gray (its first channel) otherwise.
 */
export function filterGrid(weight: Float32Array, shape: number[], scale = 0): Raster {
  const [out, inC, kh, kw] = shape;
  const s = scale || Math.max(1, Math.floor(48 / Math.max(kh, kw)));
  const cols = Math.ceil(Math.sqrt(out)), rows = Math.ceil(out / cols);
  const gap = 2, cw = kw * s + gap, ch = kh * s + gap;
  const r = new Raster(cols * cw + gap, rows * ch + gap, [40, 40, 40]);
  const per = inC * kh * kw;
  for (let f = 0; f < out; f++) {
    const w = weight.subarray(f * per, (f + 1) * per);
    let lo = Infinity, hi = -Infinity;
    for (const v of w) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const norm = Float32Array.from(w, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5));
    r.blit(norm, inC >= 3 ? 3 : 1, kh, kw, gap + (f % cols) * cw, gap + Math.floor(f / cols) * ch, s);
  }
  return r;
}

/** Images (CHW in [0, 1]) side by side, each scaled to fit `size` pixels. */
export function imageStrip(images: { data: Float32Array; channels: number; height: number; width: number }[], size = 96): Raster {
  const r = new Raster(Math.max(1, images.length) * (size + 4), size + 4);
  images.forEach((img, k) => {
    const step = Math.max(img.height, img.width) / size;
    const h = Math.floor(img.height / step), w = Math.floor(img.width / step);
    const plane = img.height * img.width;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = Math.min(img.height - 1, Math.floor(y * step)) * img.width + Math.min(img.width - 1, Math.floor(x * step));
        const v = (c: number) => Math.max(0, Math.min(255, Math.round(img.data[(img.channels >= 3 ? c : 0) * plane + i] * 255)));
        r.set(k * (size + 4) + 2 + x, 2 + y, [v(0), v(1), v(2)]);
      }
    }
  });
  return r;
}
