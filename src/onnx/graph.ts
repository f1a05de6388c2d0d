// The graph form: what loadOnnx builds from a file (and saveOnnx writes from a
// trace). Nodes in an order where every input is defined before it is read;
// undefined inputs, values defined twice and cycles are load errors.
import { SimdnnError } from '../errors.js';
import { decodeModel, toInt, type AttributeProto, type NodeProto } from './proto.js';
import { checkedDims, decodeTensor, type DecodedTensor, type ExternalData } from './tensor-proto.js';

export const MIN_OPSET = 9;
export const MAX_OPSET = 17;

export interface GraphNode {
  /** the node's name, or `#<index> <opType>` when it has none */
  name: string;
  opType: string;
  /** '' marks an omitted optional input */
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttributeProto>;
}

export interface Graph {
  opset: number;
  nodes: GraphNode[];
  /** runtime inputs (graph inputs that are not initializers), with their declared dims where static */
  inputs: { name: string; dims: (number | null)[] | null }[];
  outputs: string[];
  initializers: Map<string, DecodedTensor>;
}

function fail(msg: string): never {
  throw new SimdnnError('loadOnnx', msg);
}

export function parseGraph(bytes: Uint8Array, ext?: ExternalData): Graph {
  const model = decodeModel(bytes);
  const g = model.graph;
  if (!g) fail('the file has no graph (not an ONNX model?)');
  let opset = -1;
  for (const o of model.opsetImport ?? []) {
    const domain = o.domain ?? '';
    if (domain === '' || domain === 'ai.onnx') opset = toInt(o.version, 'the opset version');
  }
  if (opset < 0) fail('the file declares no opset for the default ONNX domain');
  if (opset < MIN_OPSET || opset > MAX_OPSET) fail(`opset ${opset} is not supported (supported: ${MIN_OPSET} to ${MAX_OPSET}); re-export with torch.onnx.export(..., opset_version=13)`);

  const initializers = new Map<string, DecodedTensor>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) fail('an initializer has no name');
    if (initializers.has(name)) fail(`initializer '${name}' is defined twice`);
    initializers.set(name, decodeTensor(t, `initializer '${name}'`, ext));
  }
  if ((g.sparseInitializer ?? []).length > 0) fail('sparse initializers are not supported');

  const inputs: Graph['inputs'] = [];
  for (const vi of g.input ?? []) {
    const name = vi.name ?? '';
    if (initializers.has(name)) continue; // older exporters list initializers as inputs too
    const shape = vi.type?.tensorType?.shape;
    const dims = shape ? (shape.dim ?? []).map((d) => (d.dimValue !== null && d.dimValue !== undefined && !d.dimParam ? checkedDims([d.dimValue], `input '${name}'`).dims[0] : null)) : null;
    inputs.push({ name, dims });
  }
  const outputs = (g.output ?? []).map((o) => o.name ?? '');
  if (outputs.length === 0) fail('the graph has no outputs');

  const raw = (g.node ?? []).map((n: NodeProto, i) => {
    const opType = n.opType ?? '';
    const domain = n.domain ?? '';
    const name = n.name || `#${i} ${opType}`;
    if (domain !== '' && domain !== 'ai.onnx') fail(`node '${name}' (${opType}) is in the domain '${domain}', which is not supported (only the default ONNX domain)`);
    const attrs = new Map<string, AttributeProto>();
    for (const a of n.attribute ?? []) attrs.set(a.name ?? '', a);
    return { name, opType, inputs: (n.input ?? []).slice(), outputs: (n.output ?? []).slice(), attrs };
  });
  return { opset, nodes: topoSort(raw, new Set([...initializers.keys(), ...inputs.map((i) => i.name)]), outputs), inputs, outputs, initializers };
}

/**
 * Orders nodes so that each runs after the producers of its inputs (Kahn's
 * algorithm). Rejects a value produced twice, an input nothing produces, and
 * cycles (the nodes left over name them).
 */
export function topoSort(nodes: GraphNode[], given: Set<string>, outputs: string[]): GraphNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (given.has(o) || producer.has(o)) fail(`value '${o}' is produced twice (by node '${n.name}' and ${given.has(o) ? 'a graph input/initializer' : `node '${nodes[producer.get(o)!].name}'`})`);
      producer.set(o, i);
    }
  });
  const pending = new Array<number>(nodes.length).fill(0);
  const readers = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const x of n.inputs) {
      if (x === '' || given.has(x)) continue;
      const p = producer.get(x);
      if (p === undefined) fail(`node '${n.name}' (${n.opType}) reads '${x}', which no node, graph input or initializer defines`);
      pending[i]++;
      if (!readers.has(p)) readers.set(p, []);
      readers.get(p)!.push(i);
    }
  });
  for (const o of outputs) if (!given.has(o) && !producer.has(o)) fail(`graph output '${o}' is not produced by any node`);
  const ready: number[] = [];
  pending.forEach((c, i) => { if (c === 0) ready.push(i); });
  const order: GraphNode[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(nodes[i]);
    for (const r of readers.get(i) ?? []) if (--pending[r] === 0) ready.push(r);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => pending[i] > 0).map((n) => `'${n.name}'`);
    fail(`the graph has a cycle through node${stuck.length > 1 ? 's' : ''} ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', …' : ''}`);
  }
  return order;
}
