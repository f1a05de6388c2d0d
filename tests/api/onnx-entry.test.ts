// `simdnn/onnx` (package.json exports "./onnx" -> dist/onnx.js): built as
// scripts/bundle.mjs builds it, it imports the main entry (./index.js beside it)
// instead of bundling a second runtime, so its modules take the main entry's tensors.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let work = '';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let sn: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let onnxEntry: any;

// The same rule as scripts/bundle.mjs's coreIsExternal plugin.
const coreIsExternal: Plugin = {
  name: 'simdnn-core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      args.importer.replaceAll('\\', '/').includes('/src/onnx/') ? { path: './index.js', external: true } : undefined);
  },
};

beforeAll(async () => {
  work = mkdtempSync(join(root, '.onnx-entry-test-'));
  const common = { bundle: true, format: 'esm' as const, target: 'es2022', platform: 'neutral' as const, external: ['node:*'], minify: true, logLevel: 'silent' as const };
  await build({ ...common, entryPoints: [join(root, 'src/index.ts')], outfile: join(work, 'index.js') });
  await build({ ...common, entryPoints: [join(root, 'src/onnx/index.ts')], outfile: join(work, 'onnx.js'), mainFields: ['module', 'main'], plugins: [coreIsExternal] });
  sn = await import(pathToFileURL(join(work, 'index.js')).href);
  onnxEntry = await import(pathToFileURL(join(work, 'onnx.js')).href);
  await sn.init({ threads: 1 });
}, 60_000);
afterAll(() => {
  sn?.shutdown();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('simdnn/onnx', () => {
  it('package.json exports it with its types; scripts/bundle.mjs builds it', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./onnx']).toEqual({ types: './dist/types/onnx/index.d.ts', default: './dist/onnx.js' });
    expect(readFileSync(join(root, 'scripts/bundle.mjs'), 'utf8')).toContain("outfile: 'dist/onnx.js'");
  });

  it('shares the main entry\'s runtime: it imports ./index.js, and its modules run on the main entry\'s tensors', () => {
    const code = readFileSync(join(work, 'onnx.js'), 'utf8');
    expect(code).toMatch(/from\s*"\.\/index\.js"/);
    expect(code).not.toContain('WebAssembly'); // no second copy of the core's runtime
    expect(readFileSync(join(work, 'index.js'), 'utf8')).toContain('WebAssembly');
    const bytes = new Uint8Array(readFileSync(join(root, 'tests/fixtures/onnx/fire-op13.onnx')));
    const m = onnxEntry.loadOnnx(bytes);
    expect(m).toBeInstanceOf(sn.nn.Module);
    m.eval();
    const y = m.forward(sn.zeros([1, 3, 15, 15]));
    expect(y).toBeInstanceOf(sn.Tensor);
    expect(y.shape).toEqual([1, 5]);
    expect(() => onnxEntry.loadOnnx(new Uint8Array([1]))).toThrow(sn.SimdnnError);
  });

  it('adds at most 40 KB gzip to a bundle', () => {
    expect(gzipSync(readFileSync(join(work, 'onnx.js')), { level: 9 }).length).toBeLessThanOrEqual(40 * 1024);
  });
});
