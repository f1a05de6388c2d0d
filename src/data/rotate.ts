import { check } from '../errors.js';
import { allocPixels } from './scratch.js';
import { checkImage, checkKeys, rngOf, type Image, type RandomOptions } from './image.js';

/** C's nearbyint (halves to even), as grid_sample's nearest mode rounds. */
function nearbyint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Rotates counter-clockwise by `degrees` about the centre, same size, nearest
 * neighbour, outside pixels `fill`: torchvision's rotate on tensors (the
 * inverse affine matrix, an affine grid with half-pixel centres, grid_sample
 * nearest with align_corners=False), computed in float32 steps as torch does.
 */
export function rotate(img: Image, degrees: number, fill = 0): Image {
  checkImage(img, 'rotate');
  check(Number.isFinite(degrees), 'rotate', `degrees must be finite, got ${degrees}`);
  const f = Math.fround;
  const { channels: C, height: H, width: W, data } = img;
  // torchvision: _get_inverse_affine_matrix(center 0, -angle, …) = [cos a, sin a, 0; -sin a, cos a, 0] with a = -angle.
  const a = (-degrees * Math.PI) / 180;
  const t00 = f(Math.cos(a)), t01 = f(Math.sin(a)), t10 = f(-Math.sin(a)), t11 = f(Math.cos(a));
  const hw = f(0.5 * W), hh = f(0.5 * H);
  // theta.T / [0.5 w, 0.5 h]
  const r00 = f(t00 / hw), r01 = f(t01 / hw), r10 = f(t10 / hh), r11 = f(t11 / hh);
  const out = allocPixels(C * H * W);
  const plane = H * W;
  for (let y = 0; y < H; y++) {
    const by = f(-H * 0.5 + 0.5 + y); // linspace(-oh/2 + 0.5, oh/2 - 0.5, oh)
    for (let x = 0; x < W; x++) {
      const bx = f(-W * 0.5 + 0.5 + x);
      const gx = f(f(bx * r00) + f(by * r01));
      const gy = f(f(bx * r10) + f(by * r11));
      // grid_sample, align_corners=False: ((g + 1) · size − 1) / 2
      const sx = nearbyint(f(f(f(f(gx + 1) * W) - 1) / 2));
      const sy = nearbyint(f(f(f(f(gy + 1) * H) - 1) / 2));
      const inside = sx >= 0 && sx < W && sy >= 0 && sy < H;
      for (let c = 0; c < C; c++) out[c * plane + y * W + x] = inside ? data[c * plane + sy * W + sx] : fill;
    }
  }
  return { data: out, channels: C, height: H, width: W };
}

export interface RandomRotationOptions extends RandomOptions {
  fill?: number;
}

/** Rotation by an angle uniform in [−degrees, degrees] (or the range given), torchvision's RandomRotation. */
export function randomRotation(img: Image, degrees: number | [number, number], opts: RandomRotationOptions = {}): Image {
  const op = 'randomRotation';
  checkKeys(opts, ['seed', 'rng', 'fill'], op);
  checkImage(img, op);
  const [lo, hi] = typeof degrees === 'number' ? [-degrees, degrees] : Array.isArray(degrees) && degrees.length === 2 ? degrees : [NaN, NaN];
  check(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi, op, () => `degrees must be a non-negative number or [lo, hi], got ${JSON.stringify(degrees)}`);
  const fill = opts.fill ?? 0;
  check(Number.isFinite(fill), op, `fill must be a finite number, got ${String(fill)}`);
  return rotate(img, lo + (hi - lo) * rngOf(opts, op).uniform(), fill);
}
