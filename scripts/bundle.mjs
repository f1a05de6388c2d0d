// Bundles src/ into one ESM file (dist/index.js) that runs in Node and in
// browsers: the wasm is embedded, the worker source is inlined, and Node's
// built-ins are only reached through dynamic imports behind an isNode() check.
// The CLI (src/cli/main.ts -> dist/cli.js) is a second, Node-only bundle: it
// may import node:fs and the npm packages the file readers use.
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  minify: process.env.SIMDNN_MINIFY !== '0',
  keepNames: false,
  legalComments: 'none',
  logLevel: 'info',
};

await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  platform: 'neutral',
  external: ['node:*'],
});

// `simdnn/node`: the Node-only dataset readers (files, PNG/JPEG), a separate entry
// so that the main one stays platform-neutral.
// Its door into the core (src/data/node/core.ts imports '../../index.js') stays an import of the
// sibling dist/index.js, as for simdnn/onnx below: one runtime for batch.x and the step boundaries.
await build({
  ...common,
  entryPoints: ['src/node.ts'],
  outfile: 'dist/node.js',
  platform: 'node',
  packages: 'external',
  external: ['node:*'],
  plugins: [{
    name: 'simdnn-core-external-node',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/\.\.\/index\.js$/ }, (args) =>
        args.importer.replaceAll('\\', '/').includes('/src/data/node/') ? { path: './index.js', external: true } : undefined);
    },
  }],
});

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  // cli-progress, pngjs and jpeg-js are CommonJS dependencies: leave them to Node's resolver.
  packages: 'external',
  external: ['node:*'],
});

// `simdnn/onnx`: loadOnnx/saveOnnx and the protobuf code, a separate entry so that
// the main bundle stays small. It must share the main entry's runtime (one wasm
// memory, one Tensor class, one autograd tape), so its one door into the core,
// src/onnx/core.ts's `import … from '../index.js'`, stays an import of the
// sibling dist/index.js instead of being bundled a second time.
const coreIsExternal = {
  name: 'simdnn-core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      args.importer.replaceAll('\\', '/').includes('/src/onnx/') ? { path: './index.js', external: true } : undefined);
  },
};
await build({
  ...common,
  entryPoints: ['src/onnx/index.ts'],
  outfile: 'dist/onnx.js',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  external: ['node:*'],
  plugins: [coreIsExternal],
});
