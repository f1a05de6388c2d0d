// conv2d and pools with the relaxed build (FMA GEMM) against the baseline build,
// in a child process with --experimental-wasm-relaxed-simd (gemm-relaxed.test.ts
// explains why). FMA changes the last bits, nothing more.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { maxRelErr } from '../helpers.js';
import { CONV_RELAXED_LAYERS } from './conv-relaxed-cases.js';

interface ChildRun { simd: string; outputs: string[][] }

async function runChild(): Promise<{ baseline: ChildRun; relaxed: ChildRun }> {
  const dir = mkdtempSync(join(tmpdir(), 'simdnn-conv-relaxed-'));
  try {
    const outfile = join(dir, 'child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./conv-relaxed-child.ts', import.meta.url))],
      outfile, bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
    });
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', outfile], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`relaxed child failed (exit ${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fromBase64(s: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('conv2d and pools, relaxed-SIMD build', () => {
  it('agree with the baseline build on every path (forward and gradients)', async () => {
    const { baseline, relaxed } = await runChild();
    expect(baseline.simd).toBe('baseline');
    expect(relaxed.simd).toBe('relaxed');
    CONV_RELAXED_LAYERS.forEach((l, i) => {
      ['y', 'pooled', 'dx', 'dw', 'db'].forEach((name, j) => {
        const base = fromBase64(baseline.outputs[i][j]);
        const fma = fromBase64(relaxed.outputs[i][j]);
        expect(fma.length).toBe(base.length);
        expect(maxRelErr(fma, base, 1e-4, 1e-4), `${name} of layer ${l.xs} * ${l.ws}`).toBeLessThanOrEqual(1);
      });
    });
  });
});
