import { checkKnownKeys, SimdnnError } from '../errors.js';
import { parseGraph } from './graph.js';
import { OnnxGraphModule } from './graph-module.js';
import type { ExternalData } from './tensor-proto.js';

export interface LoadOnnxOptions {
  /** Cut the graph: return these values (node outputs, by name) instead of the graph's outputs. */
  outputs?: string[];
  /** External-data files (models over 2 GB) by their `location` name in the model. */
  externalData?: ExternalData;
}

/**
 * Builds a module that runs an ONNX model on simdnn's ops: trainable, with the
 * file's initializer names as parameter names. The file is untrusted input:
 * anything malformed or unsupported is a SimdnnError here, at load.
 */
export function loadOnnx(bytes: Uint8Array, opts: LoadOnnxOptions = {}): OnnxGraphModule {
  if (opts === null || typeof opts !== 'object') throw new SimdnnError('loadOnnx', 'options must be an object');
  checkKnownKeys('loadOnnx', opts, ['outputs', 'externalData']);
  return new OnnxGraphModule(parseGraph(bytes, opts.externalData), opts.outputs);
}
