import { describe, expect, it } from 'vitest';
import { centreOfMass, inkBox, resampleArea, toLenetInput, toMnist28, MNIST_MEAN, MNIST_STD, type Gray } from '../../demo/src/preprocess.js';
import { decodeDigits, encodeDigits } from '../../demo/src/digits-file.js';

/** A w x h canvas with the rectangles (x0, y0, x1, y1) filled with ink 1. */
function canvas(w: number, h: number, rects: number[][]): Gray {
  const data = new Float32Array(w * h);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 1;
  return { data, width: w, height: h };
}

describe('demo drawing -> MNIST preprocessing', () => {
  it('finds the ink box, or null on an empty canvas', () => {
    expect(inkBox(canvas(50, 40, []))).toBeNull();
    expect(inkBox(canvas(50, 40, [[10, 5, 20, 30], [30, 8, 31, 9]]))).toEqual({ x0: 10, y0: 5, x1: 31, y1: 30 });
  });

  it('area resampling keeps the mean ink', () => {
    const img = canvas(40, 40, [[0, 0, 20, 40]]);
    const small = resampleArea(img, { x0: 0, y0: 0, x1: 40, y1: 40 }, 10, 10);
    expect(small.data.reduce((a, b) => a + b) / 100).toBeCloseTo(0.5, 6);
    // Non-integer scale: 40 -> 15, each output covers 2.67 source pixels.
    const odd = resampleArea(img, { x0: 0, y0: 0, x1: 40, y1: 40 }, 15, 15);
    expect(odd.data.reduce((a, b) => a + b) / 225).toBeCloseTo(0.5, 5);
  });

  it('scales the longer side to 20 and puts the centre of mass at (14, 14)', () => {
    // A tall bar off in a corner of a big canvas, with a blob making it lopsided.
    const img = canvas(280, 280, [[200, 10, 230, 130], [230, 100, 260, 130]]);
    const d = toMnist28(img)!;
    expect(d.width).toBe(28);
    const box = inkBox(d, 0)!;
    expect(box.y1 - box.y0).toBe(20);
    expect(box.x1 - box.x0).toBe(10); // 60 wide x 120 tall -> 10 x 20
    const com = centreOfMass(d);
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...d.data)).toBeLessThanOrEqual(1);
  });

  it('returns null when nothing is drawn', () => {
    expect(toMnist28(canvas(280, 280, []))).toBeNull();
  });

  it('pads 28 -> 32 and normalises like the training digits', () => {
    const d = { data: new Float32Array(784).fill(0), width: 28, height: 28 };
    d.data[0] = 1;
    const x = toLenetInput(d);
    expect(x.length).toBe(1024);
    expect(x[0]).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 6);
    expect(x[2 * 32 + 2]).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 6);
  });
});

describe('demo digits.bin', () => {
  it('round-trips the per-class bytes and rejects other files', () => {
    const perClass = Array.from({ length: 10 }, (_, c) => Uint8Array.from({ length: 784 * (c + 1) }, (_, i) => (i * 7 + c) & 255));
    const back = decodeDigits(encodeDigits(perClass));
    back.forEach((b, c) => expect(Array.from(b)).toEqual(Array.from(perClass[c])));
    expect(() => decodeDigits(new Uint8Array(50))).toThrow(/not a digits file/);
    expect(() => decodeDigits(encodeDigits(perClass).subarray(0, 1000))).toThrow(/truncated/);
  });
});
