// tfjs for a browser page, as one ES module (.bench/tfjs-browser.mjs, ignored by git): tfjs-core
// with the cpu and wasm backends, bundled by esbuild from node_modules (their ES builds import
// bare names, and tfjs-backend-wasm's Emscripten glue names Node's modules, which a page never
// loads: they become empty modules here). The page points setWasmPaths at the .wasm files.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const NODE_ONLY = /^(fs|path|os|perf_hooks|worker_threads|crypto)$/;

/** Builds the bundle; resolves to its path under the repository root (for the server). */
export async function bundleTfjsForBrowser() {
  const outfile = fileURLToPath(new URL('../../.bench/tfjs-browser.mjs', import.meta.url));
  await build({
    stdin: {
      contents: "export * from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\nexport { setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';\n",
      resolveDir: fileURLToPath(new URL('../..', import.meta.url)), loader: 'js',
    },
    outfile, bundle: true, format: 'esm', platform: 'browser', logLevel: 'warning',
    plugins: [{
      name: 'node-only-empty',
      setup(b) {
        b.onResolve({ filter: NODE_ONLY }, (a) => ({ path: a.path, namespace: 'node-only-empty' }));
        b.onLoad({ filter: /.*/, namespace: 'node-only-empty' }, () => ({ contents: 'export default {};', loader: 'js' }));
      },
    }],
  });
  return '/.bench/tfjs-browser.mjs';
}
