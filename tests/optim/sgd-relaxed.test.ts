// The relaxed build's SGD (f32x4.relaxed_madd) against PyTorch's fixtures: within
// float32 rounding always, and PyTorch's exact bits where relaxed_madd is fused
// (PyTorch's CPU kernels round a·b + c once). Node 20 needs
// --experimental-wasm-relaxed-simd, so the replay runs in a child process
// (sgd-relaxed-child.ts, bundled here with esbuild).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { maxRelErr } from '../helpers.js';

const fixture = fileURLToPath(new URL('../fixtures/optim.json', import.meta.url));
const fx = JSON.parse(readFileSync(fixture, 'utf8'));

describe('SGD in the relaxed build', () => {
  it('matches PyTorch (bit for bit where relaxed_madd is fused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-sgd-relaxed-'));
    let out: { fused: boolean; cases: Record<string, number[][][]> };
    try {
      const outfile = join(dir, 'child.mjs');
      await build({
        entryPoints: [fileURLToPath(new URL('./sgd-relaxed-child.ts', import.meta.url))],
        outfile, bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
      });
      const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', outfile, fixture], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(r.status, r.stderr).toBe(0);
      out = JSON.parse(r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const sgdCases = fx.cases.filter((c: any) => c.cls === 'SGD');
    expect(Object.keys(out.cases).length).toBe(sgdCases.length);
    for (const c of sgdCases) {
      for (let t = 0; t < 5; t++) {
        for (let i = 0; i < c.traj[t].length; i++) {
          const ours = Float32Array.from(out.cases[c.name][t][i]), theirs = Float32Array.from(c.traj[t][i]);
          expect(maxRelErr(ours, theirs, 1e-6, 2e-6), `${c.name} step ${t}`).toBeLessThanOrEqual(1);
          if (out.fused) expect(ours.filter((v, k) => !Object.is(v, theirs[k])).length, `${c.name} step ${t} param ${i}`).toBe(0);
        }
      }
    }
  });
});
