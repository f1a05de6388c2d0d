// The no-grad executor's passes over a traced Graph (docs/graph.md): each node
// becomes a step, except chains the passes fuse into one step:
//  - conv2d → eval batchNorm (of a bias-free conv) → relu: the conv without its
//    bias, then one in-place pass applying the batch norm as a per-channel
//    scale and shift (folded from its current statistics at each run) and the ReLU;
//    conv2d → relu and a conv2d with bias alone likewise (the executor applies
//    them inside the F(4x4,3x3) output transform or the GEMM where it can);
//    conv2d → eval batchNorm without ReLU too;
//  - the same chain ending in add(·, residual) → relu: the add and the ReLU in that pass;
//  - add → relu: one in-place pass over an operand nobody else holds;
//  - relu over an activation nobody else holds: in place.
// A chain fuses only where each value feeds nothing but the next node; the
// fused step runs where the chain's last node was (its inputs are all made by then).
import { readersOf, type Graph, type GraphNode, type ValueId } from './ir.js';
import { unreplayable } from './replay.js';

export type Step =
  | { kind: 'op'; node: GraphNode; reads: ValueId[]; output: ValueId }
  /** y = relu?(affine(conv(x)) + residual?), affine the batch norm's scale/shift, else the conv's bias */
  | { kind: 'conv'; conv: GraphNode; bn: GraphNode | null; residual: ValueId | null; relu: boolean; reads: ValueId[]; output: ValueId }
  | { kind: 'addRelu'; node: GraphNode; reads: ValueId[]; output: ValueId }
  | { kind: 'reluInPlace'; node: GraphNode; reads: ValueId[]; output: ValueId };

export interface Plan {
  graph: Graph;
  steps: Step[];
  /** per value, the index of the last step that reads it (outputs: never freed) */
  lastRead: Map<ValueId, number>;
}

const reads = (...nodes: GraphNode[]): ValueId[] => [...new Set(nodes.flatMap((n) => n.inputs.filter((v): v is ValueId => v !== null)))];
const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
/** An eval-mode batch norm with running statistics (what folds into a scale and shift). */
const isEvalBatchNorm = (n: GraphNode) => n.attrs.training === false && n.inputs[1] !== null && n.inputs[2] !== null;

/** The executable plan of `g`, or a string saying why it cannot run as a graph. */
export function planGraph(g: Graph): Plan | string {
  for (const n of g.nodes) {
    const why = unreplayable(n.op, n.attrs);
    if (why !== null) return why;
  }
  const readers = readersOf(g);
  const outputs = new Set(g.outputs);
  const made = new Set(g.nodes.map((n) => n.output));
  /** Nodes already part of a step. */
  const taken = new Set<number>();
  /** The node that alone reads value `v` (once) and is not part of a step yet, if any: where a chain may continue. */
  const soleReader = (v: ValueId): number | null => {
    const r = readers.get(v);
    if (!r || r.length !== 1 || outputs.has(v) || taken.has(r[0])) return null;
    const n = g.nodes[r[0]];
    return n.inputs.filter((x) => x === v).length === 1 ? r[0] : null;
  };
  const placed: { at: number; step: Step }[] = [];

  /** conv2d [→ batchNorm] [→ add(·, r)] [→ relu] starting at node i, or null when nothing fuses. */
  const convChain = (i: number): { at: number; step: Step; nodes: number[] } | null => {
    const conv = g.nodes[i];
    const hasBias = conv.inputs[2] !== null && conv.inputs[2] !== undefined;
    const nodes = [i];
    let tail = conv.output;
    let bn: GraphNode | null = null;
    const j = soleReader(tail);
    if (j !== null && g.nodes[j].op === 'batchNorm' && g.nodes[j].inputs[0] === tail && isEvalBatchNorm(g.nodes[j]) && !hasBias) {
      bn = g.nodes[j];
      nodes.push(j);
      tail = bn.output;
    }
    let residual: ValueId | null = null;
    let k = soleReader(tail);
    if (k !== null && g.nodes[k].op === 'add' && typeof g.nodes[k].attrs.scalar !== 'number' && g.nodes[k].inputs.length === 2) {
      const add = g.nodes[k];
      const other = add.inputs[0] === tail ? add.inputs[1] : add.inputs[0];
      const m = soleReader(add.output);
      if (other !== null && other !== tail && m !== null && g.nodes[m].op === 'relu' && g.shapes[tail].length === 4 && sameShape(g.shapes[tail], g.shapes[other])) {
        residual = other;
        nodes.push(k, m);
        const step: Step = { kind: 'conv', conv, bn, residual, relu: true, reads: reads(conv, ...(bn ? [bn] : []), add).filter((v) => v !== conv.output && v !== bn?.output), output: g.nodes[m].output };
        return { at: m, step, nodes };
      }
    }
    k = soleReader(tail);
    const relu = k !== null && g.nodes[k].op === 'relu';
    if (!bn && !hasBias && !relu) return null; // a plain bias-free conv: nothing to fuse
    if (relu) nodes.push(k!);
    const last = nodes[nodes.length - 1];
    return { at: last, step: { kind: 'conv', conv, bn, residual: null, relu, reads: reads(conv, ...(bn ? [bn] : [])).filter((v) => v !== conv.output), output: g.nodes[last].output }, nodes };
  };

  g.nodes.forEach((n, i) => {
    if (taken.has(i)) return;
    if (n.op === 'conv2d' && g.shapes[n.output].length === 4) {
      const c = convChain(i);
      if (c) {
        for (const x of c.nodes) taken.add(x);
        placed.push({ at: c.at, step: c.step });
        return;
      }
    }
    if (n.op === 'add' && typeof n.attrs.scalar !== 'number') {
      const m = soleReader(n.output);
      if (m !== null && g.nodes[m].op === 'relu' && !taken.has(m)) {
        taken.add(i).add(m);
        placed.push({ at: m, step: { kind: 'addRelu', node: n, reads: reads(n), output: g.nodes[m].output } });
        return;
      }
    }
    const x = n.inputs[0];
    const inPlace = n.op === 'relu' && x !== null && made.has(x) && soleReader(x) === i;
    taken.add(i);
    if (inPlace) {
      placed.push({ at: i, step: { kind: 'reluInPlace', node: n, reads: reads(n), output: n.output } });
      return;
    }
    placed.push({ at: i, step: { kind: 'op', node: n, reads: reads(n), output: n.output } });
  });
  placed.sort((a, b) => a.at - b.at);
  const steps = placed.map((p) => p.step);
  const lastRead = new Map<ValueId, number>();
  steps.forEach((s, i) => { for (const v of s.reads) lastRead.set(v, i); });
  for (const v of g.outputs) lastRead.set(v, Infinity);
  return { graph: g, steps, lastRead };
}
