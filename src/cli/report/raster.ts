import pngjs from 'pngjs';

/** An RGBA picture drawn pixel by pixel, for the report's PNG files (no canvas in Node). */
export class Raster {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number, background: [number, number, number] = [255, 255, 255]) {
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  set(x: number, y: number, rgb: readonly number[]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    this.data[o] = rgb[0];
    this.data[o + 1] = rgb[1];
    this.data[o + 2] = rgb[2];
    this.data[o + 3] = 255;
  }

  fillRect(x0: number, y0: number, w: number, h: number, rgb: readonly number[]): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, rgb);
  }

  /** A line two pixels wide (enough to see a curve in a terminal image viewer). */
  line(x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps, y = y0 + ((y1 - y0) * i) / steps;
      this.set(x, y, rgb);
      this.set(x + 1, y, rgb);
      this.set(x, y + 1, rgb);
    }
  }

  /** `pixels` (CHW floats in [0, 1], 1 or 3 channels) at (x0, y0), each pixel a `scale`x`scale` block. */
  blit(pixels: Float32Array, channels: number, h: number, w: number, x0: number, y0: number, scale = 1): void {
    const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const rgb = channels >= 3 ? [pixels[i], pixels[h * w + i], pixels[2 * h * w + i]].map(byte) : [byte(pixels[i]), byte(pixels[i]), byte(pixels[i])];
        this.fillRect(x0 + x * scale, y0 + y * scale, scale, scale, rgb);
      }
    }
  }

  png(): Buffer {
    const png = new pngjs.PNG({ width: this.width, height: this.height });
    png.data.set(this.data);
    return pngjs.PNG.sync.write(png);
  }
}
