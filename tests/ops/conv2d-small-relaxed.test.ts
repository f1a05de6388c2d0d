// The relaxed build (FMA) of the direct small-conv kernels gives the bits of
// the relaxed im2col path, as the baseline build does of the baseline one
// (conv2d-small.test.ts). Runs conv2d-small-relaxed-child.ts under
// --experimental-wasm-relaxed-simd (Node 20 has relaxed SIMD only behind it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('conv2d small path, relaxed build', () => {
  it('forward and both gradients equal the relaxed im2col path bit for bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-conv-relaxed-'));
    try {
      const outfile = join(dir, 'child.mjs');
      await build({
        entryPoints: [fileURLToPath(new URL('./conv2d-small-relaxed-child.ts', import.meta.url))],
        outfile, bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
      });
      const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', outfile], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const { simd, results } = JSON.parse(r.stdout) as { simd: string; results: { shape: string; forward: boolean; data: boolean; filter: boolean }[] };
      expect(simd).toBe('relaxed');
      expect(results).toHaveLength(3);
      for (const res of results) expect(res, res.shape).toEqual({ shape: res.shape, forward: true, data: true, filter: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
