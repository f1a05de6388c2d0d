// The published bundle is minified (class names become single letters): the
// error users catch and Node prints must still be called SimdnnError.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('minified bundle', () => {
  it('SimdnnError keeps its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-names-'));
    try {
      const bundle = join(dir, 'index.js');
      await build({
        entryPoints: [fileURLToPath(new URL('../../src/index.ts', import.meta.url))], outfile: bundle,
        bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', external: ['node:*'], minify: true, logLevel: 'silent',
      });
      const sn = await import(pathToFileURL(bundle).href);
      let err: unknown = null;
      try {
        sn.zeros([1]); // before init: a SimdnnError
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(sn.SimdnnError);
      expect((err as Error).constructor.name).toBe('SimdnnError');
      expect((err as Error).name).toBe('SimdnnError');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
