// Shared by the *-check.mjs modules, which run in Node, on a page and in a
// worker alike (so: no Node imports here).
import * as sn from '../../dist/index.js';

/** FNV-1a over the bytes of a typed array, as 8 hex digits (for bit-for-bit comparisons). */
export function fnv1a(arr) {
  const u8 = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < u8.length; i++) h = Math.imul(h ^ u8[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Deterministic pseudo-random floats in [-1, 1): the xorshift of tests/helpers.ts randomArray. */
export function randomArray(n, seed) {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = (x / 4294967296) * 2 - 1;
  }
  return out;
}

/** sn.init({ threads }), returning what it printed with console.warn instead of printing it. */
export async function initCollectingWarnings(threads) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    await sn.init({ threads });
  } finally {
    console.warn = warn;
  }
  return warnings;
}
