// What an op's loader sees of its node: typed attribute getters that reject
// what we do not support with the node, op type and opset in the message.
import { SimdnnError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { isConst, type Const } from './constant.js';
import type { GraphNode } from './graph.js';
import { decodeTensor } from './tensor-proto.js';
import { toInt, type AttributeProto } from './proto.js';

/** A value flowing through the graph: an activation/parameter (wasm) or a JS constant. */
export type Val = Tensor | Const;

export interface RunState {
  training: boolean;
}
/** What an op runs per forward: inputs ('' inputs are null) -> outputs. */
export type Runner = (inputs: (Val | null)[], state: RunState) => Val[];

export class NodeContext {
  constructor(
    readonly node: GraphNode,
    readonly opset: number,
    /** the constant behind an input name when it is known at load (Constant node, initializer, folded) */
    private readonly known: (name: string) => Const | null,
  ) {}

  /** An error that names the node, its op type and the opset. */
  error(msg: string): SimdnnError {
    return new SimdnnError('loadOnnx', `node '${this.node.name}' (${this.node.opType}, opset ${this.opset}): ${msg}`);
  }

  /** Rejects attributes outside `supported`. */
  allowAttrs(supported: readonly string[]): void {
    for (const k of this.node.attrs.keys()) {
      if (!supported.includes(k)) throw this.error(`attribute '${k}' is not supported (supported: ${supported.length ? supported.join(', ') : 'none'})`);
    }
  }

  private attr(name: string): AttributeProto | undefined {
    return this.node.attrs.get(name);
  }
  int(name: string, dflt: number): number {
    const a = this.attr(name);
    return a ? toInt(a.i, `attribute '${name}' of node '${this.node.name}'`) : dflt;
  }
  ints(name: string, dflt: number[] | null): number[] | null {
    const a = this.attr(name);
    return a ? (a.ints ?? []).map((v) => toInt(v, `attribute '${name}' of node '${this.node.name}'`)) : dflt;
  }
  float(name: string, dflt: number): number {
    const a = this.attr(name);
    return a ? (a.f ?? 0) : dflt;
  }
  floats(name: string): number[] | null {
    const a = this.attr(name);
    return a ? Array.from(a.floats ?? []) : null;
  }
  string(name: string, dflt: string): string {
    const a = this.attr(name);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : dflt;
  }
  tensor(name: string): Const | null {
    const a = this.attr(name);
    return a?.t ? decodeTensor(a.t, `node '${this.node.name}' attribute '${name}'`).toConst() : null;
  }
  has(name: string): boolean {
    return this.node.attrs.has(name);
  }

  /** Input i's constant value if it is known at load, else null. */
  knownInput(i: number): Const | null {
    const name = this.node.inputs[i];
    return name ? this.known(name) : null;
  }
  hasInput(i: number): boolean {
    return (this.node.inputs[i] ?? '') !== '';
  }
}

/** Input i as a constant, or an error naming the node. */
export function constInput(v: Val | null, node: GraphNode, what: string): Const {
  if (!isConst(v)) throw new SimdnnError('onnx', `node '${node.name}' (${node.opType}): ${what} must be a constant (a shape or an initializer), got an activation`);
  return v;
}
