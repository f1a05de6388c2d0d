// Runs a relaxed-SIMD child script (a *-relaxed-child.ts) in a child
// `node --experimental-wasm-relaxed-simd`: Node 20 has relaxed SIMD only behind
// that flag, and vitest 3 cannot give one test file its own V8 flags. The
// script is bundled with esbuild into a temporary folder; its JSON stdout is
// returned. The child side is relaxed-builds.ts, or (kernels/tester.ts) a
// few lines of source naming the family to run.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** `child`: the script, or `{ source }`, an entry's text (its imports absolute paths). */
export async function runRelaxedChild<T>(child: URL | { source: string }): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'simdnn-relaxed-'));
  try {
    const outfile = join(dir, 'child.mjs');
    await build({
      ...(child instanceof URL ? { entryPoints: [fileURLToPath(child)] } : { stdin: { contents: child.source, loader: 'ts' as const, resolveDir: dir } }),
      outfile, bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'silent',
    });
    // Asynchronous, so the vitest worker stays responsive while the child runs.
    const r = await promisify(execFile)(process.execPath, ['--experimental-wasm-relaxed-simd', outfile], { encoding: 'utf8', maxBuffer: 1 << 26 })
      .catch((e: { code?: number; stderr?: string }) => { throw new Error(`relaxed child failed (exit ${e.code}): ${e.stderr}`); });
    return JSON.parse(r.stdout) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Float32Array a child sent as base64 (relaxed-builds.ts toBase64). */
export function fromBase64(s: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
