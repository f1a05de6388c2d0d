// The one graph form (docs/graph.md): what tracing a forward records, what the
// no-grad executor runs (src/graph/plan.ts, execute.ts) and what saveOnnx
// writes (src/onnx/save.ts). Values are numbered; a node reads values and
// makes one; a value not made by a node is a graph input or a constant (a
// parameter, a buffer or a kept tensor, referenced, never copied).
import type { TraceAttrs } from '../trace.js';
import type { Tensor } from '../tensor.js';

export type ValueId = number;

export interface GraphNode {
  /** the traced op's name (conv2d, batchNorm, relu, add, …: see src/trace.ts) */
  op: string;
  /** null: an omitted optional input (a conv without bias) */
  inputs: (ValueId | null)[];
  output: ValueId;
  attrs: TraceAttrs;
}

export interface Graph {
  /** the forward's tensor arguments, in order */
  inputs: ValueId[];
  /** the tensors the forward returned, in order */
  outputs: ValueId[];
  /** whether the forward returned an array (else one tensor) */
  returnsArray: boolean;
  /** in the order they ran: every input is defined before it is read */
  nodes: GraphNode[];
  /** each value's shape */
  shapes: number[][];
  /** values that are not computed: the live tensors they stand for */
  constants: Map<ValueId, Tensor>;
}

/** Per value, the indices of the nodes that read it (a node reading a value twice is listed once). */
export function readersOf(g: Graph): Map<ValueId, number[]> {
  const readers = new Map<ValueId, number[]>();
  g.nodes.forEach((n, i) => {
    for (const v of new Set(n.inputs)) {
      if (v === null) continue;
      const list = readers.get(v);
      if (list) list.push(i);
      else readers.set(v, [i]);
    }
  });
  return readers;
}
