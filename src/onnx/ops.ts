// The op table: ONNX op type -> loader. What is not here is a load error.
import { NN_OPS } from './ops-nn.js';
import { SHAPE_OPS } from './ops-shape.js';
import type { NodeContext, Runner } from './node-context.js';

export const OPS: Record<string, (c: NodeContext) => Runner> = { ...NN_OPS, ...SHAPE_OPS };
export const SUPPORTED_OPS = Object.keys(OPS).sort();
/** Ops whose result depends on train()/eval() or randomness: never folded at load. */
export const STATEFUL_OPS = new Set(['Dropout', 'BatchNormalization']);
