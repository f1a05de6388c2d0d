// `simdnn/onnx`: ONNX in and out, a separate entry so that the main bundle stays
// small. It shares the main entry's runtime (see core.ts). API.md "ONNX (wave 2)".
export { loadOnnx, type LoadOnnxOptions } from './load.js';
export { OnnxGraphModule } from './graph-module.js';
export { saveOnnx, type SaveOnnxOptions } from './save.js';
