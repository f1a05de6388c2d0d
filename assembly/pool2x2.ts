// Max pooling with a 2x2 window, stride 2, no padding or dilation (LeNet,
// VGG, most CNNs): the backward pass without the generic kernel's per-window
// loops, four output columns at a time.
//
// The windows do not overlap, so every dx value is written exactly once (the
// winning tap gets 0 + dy, the others 0; rows/columns past 2·OH / 2·OW, left
// out by an odd size, get 0): no zero-fill pass, no read-modify-write. The
// winner is the generic kernel's (pool.ts argmaxWindow): taps in row-major
// order, `v > m || isnan(v)` replaces, so the result is bit-identical to it.
// Threads split the planes.

import { unitStart } from "./elementwise";

// @ts-ignore: decorator
@inline function replaces(v: v128, m: v128): v128 {
  return v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
}

/** dx of max pooling 2x2 / stride 2 over `planes` planes [H, W] (OH = H/2, OW = W/2 rounded down). */
export function maxPool2x2Backward(
  x: usize, dy: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  const p0 = unitStart(planes, tid, nthreads);
  const p1 = unitStart(planes, tid + 1, nthreads);
  const zero = f32x4.splat(0);
  const rowB = <usize>W << 2;
  for (let p = p0; p < p1; p++) {
    const plane = x + (<usize>p * H * W << 2);
    const g = dy + (<usize>p * OH * OW << 2);
    const d = dx + (<usize>p * H * W << 2);
    for (let oh = 0; oh < OH; oh++) {
      const r0 = plane + (<usize>(2 * oh) * rowB);
      const r1 = r0 + rowB;
      const d0 = d + (<usize>(2 * oh) * rowB);
      const d1 = d0 + rowB;
      const gr = g + (<usize>(oh * OW) << 2);
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        const o = <usize>ow << 3; // byte offset of input column 2·ow
        const a0 = v128.load(r0 + o), a1 = v128.load(r0 + o, 16);
        const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
        const t0 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6); // taps in window order
        const t1 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        const t2 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        const t3 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        let m = t0;
        const c1 = replaces(t1, m);
        m = v128.bitselect(t1, m, c1);
        const c2 = replaces(t2, m);
        m = v128.bitselect(t2, m, c2);
        const c3 = replaces(t3, m);
        // 0 + dy, as the generic kernel's zero-fill then add (turns -0 into +0)
        const gv = f32x4.add(zero, v128.load(gr + (<usize>ow << 2)));
        const c23 = v128.or(c2, c3);
        const g3 = v128.and(gv, c3);
        const g2 = v128.and(v128.andnot(gv, c3), c2); // the last tap that replaced wins
        const g1 = v128.and(v128.andnot(gv, c23), c1);
        const g0 = v128.andnot(v128.andnot(gv, c23), c1);
        v128.store(d0 + o, v128.shuffle<f32>(g0, g1, 0, 4, 1, 5));
        v128.store(d0 + o, v128.shuffle<f32>(g0, g1, 2, 6, 3, 7), 16);
        v128.store(d1 + o, v128.shuffle<f32>(g2, g3, 0, 4, 1, 5));
        v128.store(d1 + o, v128.shuffle<f32>(g2, g3, 2, 6, 3, 7), 16);
      }
      for (; ow < OW; ow++) {
        const o = <usize>ow << 3;
        const v0 = load<f32>(r0 + o), v1 = load<f32>(r0 + o, 4), v2 = load<f32>(r1 + o), v3 = load<f32>(r1 + o, 4);
        let m = v0;
        let best = 0;
        if (v1 > m || v1 != v1) { m = v1; best = 1; }
        if (v2 > m || v2 != v2) { m = v2; best = 2; }
        if (v3 > m || v3 != v3) { best = 3; }
        const gv: f32 = <f32>0 + load<f32>(gr + (<usize>ow << 2));
        store<f32>(d0 + o, best == 0 ? gv : 0);
        store<f32>(d0 + o, best == 1 ? gv : 0, 4);
        store<f32>(d1 + o, best == 2 ? gv : 0);
        store<f32>(d1 + o, best == 3 ? gv : 0, 4);
      }
      // an odd width leaves the last column out of every window
      if (2 * OW < W) {
        store<f32>(d0 + (<usize>(W - 1) << 2), 0);
        store<f32>(d1 + (<usize>(W - 1) << 2), 0);
      }
    }
    // an odd height leaves the last row(s) out
    for (let ih = 2 * OH; ih < H; ih++) memory.fill(d + <usize>ih * rowB, 0, rowB);
  }
}

/** y = max pooling 2x2 / stride 2 over `planes` planes [H, W] (the generic kernel's rule and bits). */
export function maxPool2x2Forward(x: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, y: usize, tid: i32, nthreads: i32): void {
  const p0 = unitStart(planes, tid, nthreads);
  const p1 = unitStart(planes, tid + 1, nthreads);
  const rowB = <usize>W << 2;
  for (let p = p0; p < p1; p++) {
    const plane = x + (<usize>p * H * W << 2);
    const out = y + (<usize>p * OH * OW << 2);
    for (let oh = 0; oh < OH; oh++) {
      const r0 = plane + (<usize>(2 * oh) * rowB);
      const r1 = r0 + rowB;
      const yr = out + (<usize>(oh * OW) << 2);
      let ow = 0;
      for (; ow + 4 <= OW; ow += 4) {
        const o = <usize>ow << 3;
        const a0 = v128.load(r0 + o), a1 = v128.load(r0 + o, 16);
        const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
        let m = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        let t = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        m = v128.bitselect(t, m, replaces(t, m));
        t = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        m = v128.bitselect(t, m, replaces(t, m));
        t = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        m = v128.bitselect(t, m, replaces(t, m));
        v128.store(yr + (<usize>ow << 2), m);
      }
      for (; ow < OW; ow++) {
        const o = <usize>ow << 3;
        let m = load<f32>(r0 + o);
        let v = load<f32>(r0 + o, 4);
        if (v > m || v != v) m = v;
        v = load<f32>(r1 + o);
        if (v > m || v != v) m = v;
        v = load<f32>(r1 + o, 4);
        if (v > m || v != v) m = v;
        store<f32>(yr + (<usize>ow << 2), m);
      }
    }
  }
}
