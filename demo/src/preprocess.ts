// A drawn digit turned into an MNIST-like input, the way the MNIST digits were
// made: crop to the ink's bounding box, scale it (aspect kept) so the longer
// side is 20 pixels, place it in a 28x28 field with its centre of mass at the
// centre, then pad to LeNet-5's 32x32 and normalise like the training digits.

export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** Ink intensity in [0, 1], row-major. */
export interface Gray {
  data: Float32Array;
  width: number;
  height: number;
}

/** The box of pixels above `threshold`, or null for an empty canvas. */
export function inkBox(img: Gray, threshold = 0.05): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = img.width, y0 = img.height, x1 = -1, y1 = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Area-average resampling of the box [x0,x1)x[y0,y1) of `img` to w x h: each
 * output pixel is the mean of the source area it covers (anti-aliased, as
 * MNIST's digits are).
 */
export function resampleArea(img: Gray, box: { x0: number; y0: number; x1: number; y1: number }, w: number, h: number): Gray {
  const out = new Float32Array(w * h);
  const sx = (box.x1 - box.x0) / w, sy = (box.y1 - box.y0) / h;
  for (let oy = 0; oy < h; oy++) {
    const fy0 = box.y0 + oy * sy, fy1 = fy0 + sy;
    for (let ox = 0; ox < w; ox++) {
      const fx0 = box.x0 + ox * sx, fx1 = fx0 + sx;
      let sum = 0;
      for (let y = Math.floor(fy0); y < Math.ceil(fy1); y++) {
        const wy = Math.min(fy1, y + 1) - Math.max(fy0, y);
        for (let x = Math.floor(fx0); x < Math.ceil(fx1); x++) {
          const wx = Math.min(fx1, x + 1) - Math.max(fx0, x);
          sum += wx * wy * img.data[y * img.width + x];
        }
      }
      out[oy * w + ox] = sum / (sx * sy);
    }
  }
  return { data: out, width: w, height: h };
}

/** The intensity-weighted centre (x, y) of an image in pixel-centre coordinates. */
export function centreOfMass(img: Gray): { x: number; y: number } {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return m > 0 ? { x: mx / m, y: my / m } : { x: img.width / 2, y: img.height / 2 };
}

/** The drawing as a 28x28 MNIST digit in [0, 1], or null when nothing is drawn. */
export function toMnist28(img: Gray): Gray | null {
  const box = inkBox(img);
  if (box === null) return null;
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const scale = 20 / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale)), h = Math.max(1, Math.round(bh * scale));
  const small = resampleArea(img, box, w, h);
  const com = centreOfMass(small);
  // Shift so the centre of mass lands on (14, 14); clipped at the border.
  const dx = Math.round(14 - com.x), dy = Math.round(14 - com.y);
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = x + dx, ty = y + dy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = Math.min(1, small.data[y * w + x]);
    }
  }
  return { data: out, width: 28, height: 28 };
}

/** 28x28 in [0, 1] -> LeNet-5's normalised 1x32x32 input (2 pixels of background around). */
export function toLenetInput(digit: Gray): Float32Array {
  const out = new Float32Array(32 * 32).fill(-MNIST_MEAN / MNIST_STD);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) out[(y + 2) * 32 + x + 2] = (digit.data[y * 28 + x] - MNIST_MEAN) / MNIST_STD;
  }
  return out;
}
