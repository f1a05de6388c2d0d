// demo/dist/digits.bin: the `mnist` package's 10,000 digits as bytes, written
// by scripts/build-demo.mjs so the page fetches 7.8 MB of pixels instead of
// 21 MB of JSON. Layout: "SNDG", 10 little-endian u32 counts (digits per
// class), then each class's 28x28 bytes in order.

export function encodeDigits(perClass: Uint8Array[]): Uint8Array {
  const total = perClass.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(4 + 40 + total);
  out.set([0x53, 0x4e, 0x44, 0x47]);
  const dv = new DataView(out.buffer);
  let at = 44;
  perClass.forEach((p, c) => {
    dv.setUint32(4 + 4 * c, p.length / 784, true);
    out.set(p, at);
    at += p.length;
  });
  return out;
}

export function decodeDigits(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length < 44 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'SNDG') throw new Error('digits.bin: not a digits file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 44;
  for (let c = 0; c < 10; c++) {
    const n = dv.getUint32(4 + 4 * c, true) * 784;
    if (at + n > bytes.length) throw new Error('digits.bin: truncated');
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}
