// Bundles src/ into one ESM file (dist/index.js) that runs in Node and in
// browsers: the wasm is embedded, the worker source is inlined, and Node's
// built-ins are only reached through dynamic imports behind an isNode() check.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*'],
  sourcemap: true,
  minify: process.env.SIMDNN_MINIFY !== '0',
  keepNames: false,
  legalComments: 'none',
  logLevel: 'info',
});
