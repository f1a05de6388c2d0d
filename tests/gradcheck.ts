import * as sn from '../src/index.js';
import type { Tensor } from '../src/tensor.js';
import { noGrad } from '../src/autograd.js';

/**
 * Compares autograd's gradients of `sum(f(inputs) * probe)` with central finite
 * differences (computed in float64 from float32 forward passes). `probe` is a
 * fixed random weighting so every output element matters. Returns the worst
 * error ratio |analytic - numeric| / (atol + rtol·|numeric|); ≤ 1 passes.
 */
export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: { data: Float32Array; shape: number[]; requiresGrad?: boolean }[],
  { eps = 1e-2, atol = 1e-2, rtol = 1e-2, seed = 7 } = {},
): { worst: number; where: string } {
  const leaves = inputs.map((x) => sn.tensor(x.data, x.shape, { requiresGrad: x.requiresGrad !== false }));
  const out = f(...leaves);
  const probe = sn.randn(out.shape, { seed });
  const probeData = probe.toFloat32Array();
  out.backward(probe);
  const analytic = leaves.map((t) => (t.grad ? t.grad.toFloat32Array() : null));

  const evalAt = (which: number, i: number, delta: number): number => {
    const data = inputs.map((x) => x.data.slice());
    data[which][i] += delta;
    // autograd's noGrad, in a tidy: a probe is no step boundary (docs/memory.md), so the
    // caller's tensors keep their lifetimes, and its temporaries are freed here.
    return sn.tidy(() => noGrad(() => {
      const ts = data.map((d, k) => sn.tensor(d, inputs[k].shape));
      const y = f(...ts).toFloat32Array();
      let s = 0;
      for (let j = 0; j < y.length; j++) s += y[j] * probeData[j];
      return s;
    }));
  };

  let worst = 0;
  let where = '';
  inputs.forEach((x, which) => {
    if (x.requiresGrad === false) return;
    const g = analytic[which];
    if (!g) throw new Error(`input ${which} got no gradient`);
    for (let i = 0; i < x.data.length; i++) {
      const h = eps * Math.max(1, Math.abs(x.data[i]));
      const numeric = (evalAt(which, i, h) - evalAt(which, i, -h)) / (2 * h);
      const err = Math.abs(g[i] - numeric) / (atol + rtol * Math.abs(numeric));
      if (!(err <= worst)) {
        worst = Number.isNaN(err) ? Infinity : err;
        where = `input ${which} element ${i}: analytic ${g[i]} numeric ${numeric}`;
      }
    }
  });
  return { worst, where };
}
