// The module loadOnnx returns: the graph's float initializers as parameters
// (batch-norm statistics as buffers) under their ONNX names, nested on
// sub-modules at the dots so that stateDict keys equal the exporter's
// (`features.0.weight`), and a forward that runs the graph's nodes in order.
import { check, SimdnnError } from '../errors.js';
import { isGradEnabled, nn, setTracer, sn, Tensor } from './core.js';
import { isConst, type Const } from './constant.js';
import type { Graph, GraphNode } from './graph.js';
import { NodeContext, type Runner, type Val } from './node-context.js';
import { OPS, STATEFUL_OPS, SUPPORTED_OPS } from './ops.js';
import { CONST_ONLY_INPUTS } from './ops-shape.js';
import { toTensor } from './values.js';

/** A level of the dotted parameter names (`features` in `features.0.weight`); holds tensors, runs nothing. */
class ParameterGroup extends nn.Module {
  static override readonly typeName: string = 'ParameterGroup';
  static override readonly _keepsNoActivations: boolean = true;
  forward(): never {
    throw new SimdnnError('ParameterGroup', 'holds part of an ONNX graph\'s parameters and has no forward of its own; call the graph module');
  }
}

interface Step {
  node: GraphNode;
  run: Runner;
}

export class OnnxGraphModule extends nn.Module {
  static override readonly typeName: string = 'OnnxGraph';
  /** A library module: under noGrad the core traces its forward and runs it with the graph executor's passes (docs/graph.md). */
  static override readonly _keepsNoActivations: boolean = true;
  /** The graph's runtime inputs and the outputs forward returns (after any `outputs` cut). */
  readonly inputNames: string[];
  /** The declared dims of each input (null where a dim is symbolic, e.g. the batch). */
  readonly inputDims: ((number | null)[] | null)[];
  readonly outputNames: string[];
  readonly opset: number;
  /** The nodes forward runs, in order (op type and name), for summaries. */
  readonly nodes: readonly { name: string; opType: string; inputs: string[]; outputs: string[] }[];
  private readonly steps: Step[];
  private readonly known = new Map<string, Const>();
  private readonly tensors = new Map<string, Tensor>();
  private readonly lastUse = new Map<string, number>();

  constructor(graph: Graph, outputs?: string[]) {
    super();
    this.opset = graph.opset;
    this.inputNames = graph.inputs.map((i) => i.name);
    this.inputDims = graph.inputs.map((i) => i.dims);
    const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
    const valueNames = new Set([...produced, ...graph.initializers.keys(), ...this.inputNames]);
    if (outputs !== undefined) {
      check(Array.isArray(outputs) && outputs.length > 0 && outputs.every((o) => typeof o === 'string'), 'loadOnnx', 'outputs must be a non-empty array of value names');
      for (const o of outputs) {
        if (!valueNames.has(o)) throw new SimdnnError('loadOnnx', `outputs: '${o}' is not a value of this graph (graph outputs: ${graph.outputs.join(', ')}; node outputs, e.g. ${[...produced].slice(0, 5).join(', ')})`);
      }
    }
    this.outputNames = outputs ?? graph.outputs;
    const nodes = prune(graph.nodes, this.outputNames);

    // Batch-norm statistics are buffers (state, not trained), as in PyTorch's state dict.
    const bufferNames = new Set(nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => [n.inputs[3], n.inputs[4]]));
    const used = new Set([...nodes.flatMap((n) => n.inputs), ...this.outputNames]);
    for (const [name, t] of graph.initializers) {
      if (!used.has(name)) continue;
      if (t.f32 === null) {
        this.known.set(name, t.toConst());
        continue;
      }
      const tensor = sn.tensor(t.f32, t.dims);
      this.tensors.set(name, tensor);
      this.register(name, tensor, bufferNames.has(name));
    }

    // Kinds at load: a constant (maybe known) or an activation; fold constant nodes now.
    const isConstKind = new Set<string>(this.known.keys());
    this.steps = [];
    for (const node of nodes) {
      const loader = OPS[node.opType];
      if (!loader) throw new SimdnnError('loadOnnx', `node '${node.name}': op type ${node.opType} (opset ${graph.opset}) is not supported (supported: ${SUPPORTED_OPS.join(', ')})`);
      const ctx = new NodeContext(node, graph.opset, (name) => this.known.get(name) ?? null);
      const run = loader(ctx);
      for (const i of CONST_ONLY_INPUTS[node.opType] ?? []) {
        const x = node.inputs[i];
        if (x && !isConstKind.has(x)) throw ctx.error(`input ${i} ('${x}') must be a constant or computed from shapes; computing it from an activation is not supported`);
      }
      const ins = node.inputs.filter((x) => x !== '');
      const allConst = ins.every((x) => isConstKind.has(x));
      if (allConst && !STATEFUL_OPS.has(node.opType) && ins.every((x) => this.known.has(x))) {
        const outs = runChecked(node, run, node.inputs.map((x) => (x === '' ? null : this.known.get(x)!)), false);
        node.outputs.forEach((o, k) => {
          if (o === '') return;
          if (!isConst(outs[k])) throw new SimdnnError('loadOnnx', `node '${node.name}' (${node.opType}): folding its constant inputs gave a tensor`);
          this.known.set(o, outs[k] as Const);
          isConstKind.add(o);
        });
        continue;
      }
      if (node.opType === 'Shape' || allConst) for (const o of node.outputs) if (o) isConstKind.add(o);
      this.steps.push({ node, run });
    }
    this.steps.forEach((s, i) => s.node.inputs.forEach((x) => x && this.lastUse.set(x, i)));
    this.nodes = this.steps.map((s) => ({ name: s.node.name, opType: s.node.opType, inputs: s.node.inputs.slice(), outputs: s.node.outputs.slice() }));
  }

  /** Registers `name` (dots split it into sub-module levels) as a parameter or buffer. */
  private register(name: string, t: Tensor, buffer: boolean): void {
    const parts = name.split('.');
    if (parts.some((p) => p === '')) throw new SimdnnError('loadOnnx', `initializer name '${name}' has an empty part between dots`);
    let m: nn.Module = this;
    for (const p of parts.slice(0, -1)) {
      const child = m.namedChildren().find(([n]) => n === p)?.[1];
      m = child ?? m.registerModule(p, new ParameterGroup());
    }
    const leaf = parts[parts.length - 1];
    try {
      if (buffer) m.registerBuffer(leaf, t);
      else m.registerParameter(leaf, t);
    } catch (e) {
      throw new SimdnnError('loadOnnx', `initializer '${name}' clashes with another initializer's name: ${(e as Error).message}`);
    }
  }

  forward(...xs: Tensor[]): Tensor | Tensor[] {
    const op = 'OnnxGraph';
    check(xs.length === this.inputNames.length, op, () => `expects ${this.inputNames.length} input${this.inputNames.length === 1 ? '' : 's'} (${this.inputNames.join(', ')}), got ${xs.length}`);
    xs.forEach((x, i) => check(x instanceof Tensor, op, () => `input ${i} ('${this.inputNames[i]}') must be a Tensor`));
    // saveOnnx's tracer gets this graph's own nodes, not the core ops they run on;
    // the no-grad executor's tracer gets the core ops (they are what it replays).
    const tracer = setTracer(null);
    if (tracer !== null && !tracer.wantsSubgraphs) {
      setTracer(tracer);
      const ys = this.run(xs);
      return ys.length === 1 ? ys[0] : ys;
    }
    let outs: Tensor[];
    try {
      outs = this.run(xs);
    } finally {
      setTracer(tracer);
    }
    if (tracer !== null) {
      if (outs.length !== 1) throw new SimdnnError('saveOnnx', `a graph module with ${outs.length} outputs cannot be traced inside another module (cut it to one with loadOnnx's outputs)`);
      tracer('onnxGraph', xs, outs[0], { subgraph: { nodes: this.steps.map((s) => s.node), known: this.known, tensors: this.tensors, inputNames: this.inputNames, outputName: this.outputNames[0], opset: this.opset } });
    }
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Runs once (no gradients) and reports every value's shape, for `simdnn summary`. */
  valueShapes(...xs: Tensor[]): Map<string, number[]> {
    const shapes = new Map<string, number[]>();
    sn.tidy(() => sn.noGrad(() => { this.run(xs, (name, v) => shapes.set(name, isConst(v) ? v.dims.slice() : (v as Tensor).shape.slice())); }));
    return shapes;
  }

  private run(xs: Tensor[], onValue?: (name: string, v: Val) => void): Tensor[] {
    const vals = new Map<string, Val>(this.known);
    for (const [k, t] of this.tensors) vals.set(k, t);
    this.inputNames.forEach((n, i) => vals.set(n, xs[i]));
    const freeing = !isGradEnabled();
    const pinned = new Set<unknown>([...xs, ...this.tensors.values()]);
    const state = { training: this.training };
    this.steps.forEach((s, i) => {
      const outs = runChecked(s.node, s.run, s.node.inputs.map((x) => (x === '' ? null : vals.get(x)!)), true, state);
      s.node.outputs.forEach((o, k) => o && vals.set(o, outs[k]));
      if (onValue) s.node.outputs.forEach((o, k) => o && onValue(o, outs[k]));
      if (freeing) this.free(vals, s.node.inputs, i, pinned);
    });
    return this.outputNames.map((n) => toTensor(vals.get(n)!));
  }

  /** Under noGrad, frees activations after their last reader (never inputs, parameters, outputs or a tensor another live name holds). */
  private free(vals: Map<string, Val>, names: string[], step: number, pinned: Set<unknown>): void {
    for (const name of names) {
      if (!name || this.lastUse.get(name) !== step || this.outputNames.includes(name)) continue;
      const v = vals.get(name);
      if (!(v instanceof Tensor) || pinned.has(v)) continue;
      let shared = false;
      for (const [other, w] of vals) {
        if (w === v && other !== name && ((this.lastUse.get(other) ?? -1) > step || this.outputNames.includes(other))) { shared = true; break; }
      }
      if (!shared) v.dispose();
    }
  }
}

function runChecked(node: GraphNode, run: Runner, ins: (Val | null)[], atRun: boolean, state = { training: false }): Val[] {
  let outs: Val[];
  try {
    outs = run(ins, state);
  } catch (e) {
    if (e instanceof SimdnnError && (e as Error).message.includes(`'${node.name}'`)) throw e;
    const msg = (e as Error).message;
    throw new SimdnnError(atRun ? 'OnnxGraph' : 'loadOnnx', `node '${node.name}' (${node.opType}): ${msg}`);
  }
  return outs;
}

/** The nodes needed for `outputs`, in order. */
function prune(nodes: GraphNode[], outputs: string[]): GraphNode[] {
  const need = new Set(outputs);
  const keep: boolean[] = new Array(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (nodes[i].outputs.some((o) => need.has(o))) {
      keep[i] = true;
      for (const x of nodes[i].inputs) if (x) need.add(x);
    }
  }
  return nodes.filter((_, i) => keep[i]);
}
