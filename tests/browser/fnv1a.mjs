/** FNV-1a over the bytes of a typed array, as 8 hex digits (for bit-for-bit comparisons). */
export function fnv1a(arr) {
  const u8 = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < u8.length; i++) h = Math.imul(h ^ u8[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
