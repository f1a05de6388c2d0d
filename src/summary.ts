import { noGrad } from './autograd.js';
import { check, fmtShape, SimdnnError } from './errors.js';
import { zeros } from './ops/basic.js';
import { tidy } from './scope.js';
import { isTensor, shapeSize } from './tensor.js';
import { Module, observingHook } from './nn/module.js';
import { Conv2d } from './nn/conv.js';
import { Linear } from './nn/linear.js';
import { Dropout, Flatten, ReLU } from './nn/activation.js';
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './nn/pooling.js';
import { BatchNorm2d } from './nn/norm.js';

export interface SummaryRow {
  /** Dotted module name, as in `namedModules()` (the parameter names' prefix). */
  name: string;
  type: string;
  /** Output shape, batch included. */
  outputShape: number[];
  /** Parameters of this module (counted at its first call only, when a module runs twice). */
  params: number;
  /** Conv and linear weights only: the lecture's "params" column, without biases or normalisation. */
  weights: number;
  /** Elements of the output this layer must store: 0 for ReLU/Dropout (in place in torchvision), Flatten (a view), identity-sized adaptive pools and folded batch norms. */
  activations: number;
  /** Multiply-accumulates for the whole input: conv out·(inC/groups)·kH·kW, linear in·out per row; biases not counted. */
  macs: number;
}

export interface Summary {
  /** One row per call of a leaf module, in call order. */
  rows: SummaryRow[];
  /** params/trainable: the whole model's; weights/activations/macs: sums over rows, activations with the input's. */
  totals: { params: number; trainable: number; weights: number; activations: number; macs: number };
  inputShape: number[];
  /**
   * Rows summed per group: `group(rowName)` names the group a row belongs to
   * (null drops it). Groups keep the order of their first row; a group named
   * like a module reports that module's type and output shape.
   */
  aggregate(group: (rowName: string) => string | null): SummaryRow[];
  /** Rows summed per module at `depth` name components (1: GoogLeNet's conv1 … inception3a … fc). */
  byBlock(depth?: number): SummaryRow[];
  /** A text table like the lecture's VGG table (shapes as HxWxC per image). */
  toString(): string;
}

/** Output elements that a layer of this kind does not store separately. */
function storesOutput(m: Module, inShape: number[] | null, outShape: number[]): boolean {
  if (m instanceof ReLU || m instanceof Dropout || m instanceof Flatten) return false;
  if (m instanceof BatchNorm2d && m.folded) return false; // passes its input through
  if ((m instanceof AdaptiveAvgPool2d || m instanceof AdaptiveMaxPool2d) && inShape && fmtShape(inShape) === fmtShape(outShape)) return false;
  return true;
}

function macsOf(m: Module, outShape: number[]): number {
  const out = shapeSize(outShape);
  if (m instanceof Conv2d) return out * (m.inChannels / m.groups) * m.kernelSize[0] * m.kernelSize[1];
  if (m instanceof Linear) return out * m.inFeatures;
  return 0;
}

function ownWeights(m: Module): number {
  return m instanceof Conv2d || m instanceof Linear ? m.weight.size : 0;
}

/**
 * Runs one real forward pass of `model` on zeros of `inputShape` (batch
 * included) without gradients, in eval mode (so batch norm's running
 * statistics are untouched; the train/eval flags are restored), and records
 * every leaf module's call through forward hooks.
 */
export function summary(model: Module, inputShape: number[]): Summary {
  const op = 'summary';
  check(model instanceof Module, op, 'model must be an nn.Module');
  check(Array.isArray(inputShape) && inputShape.length >= 1 && inputShape.every((d) => Number.isInteger(d) && d > 0), op,
    `inputShape must list positive sizes, batch first, got ${JSON.stringify(inputShape)}`);
  const named = model.namedModules();
  const nameOf = new Map(named.map(([n, m]) => [m, n]));
  const modes = named.map(([, m]) => m.training);
  const calls: { m: Module; inShape: number[] | null; outShape: number[] }[] = [];
  const shapeOf = (v: unknown) => (isTensor(v) ? v.shape.slice() : null);
  const hooks = named.map(([, m]) => m.registerForwardHook(observingHook((mod, inputs, out) => {
    const o = shapeOf(out);
    if (o) calls.push({ m: mod, inShape: shapeOf(inputs[0]), outShape: o });
  })));
  try {
    model.eval();
    tidy(() => noGrad(() => {
      model.forward(zeros(inputShape));
    }), isTensor);
  } catch (e) {
    // Name summary and the shape it was given: the usual cause is a shape without the batch.
    if (!(e instanceof SimdnnError)) throw e;
    const hint = inputShape.length === 3 ? ' (it includes the batch: [1, C, H, W])' : '';
    throw new SimdnnError(op, `inputShape ${fmtShape(inputShape)}${hint}: ${e.message}`);
  } finally {
    for (const h of hooks) h.remove();
    named.forEach(([, m], i) => (m.training = modes[i]));
  }
  const counted = new Set<Module>();
  const rows: SummaryRow[] = [];
  const lastOutput = new Map<string, { type: string; shape: number[] }>();
  for (const c of calls) {
    const name = nameOf.get(c.m) ?? '?';
    lastOutput.set(name, { type: c.m.typeName, shape: c.outShape });
    if (c.m.children().length > 0) continue;
    const first = !counted.has(c.m);
    counted.add(c.m);
    rows.push({
      name,
      type: c.m.typeName,
      outputShape: c.outShape,
      params: first ? c.m.namedParameters().reduce((s, [, p]) => s + p.size, 0) : 0,
      weights: first ? ownWeights(c.m) : 0,
      activations: storesOutput(c.m, c.inShape, c.outShape) ? shapeSize(c.outShape) : 0,
      macs: macsOf(c.m, c.outShape),
    });
  }
  const params = model.parameters();
  const totals = {
    params: params.reduce((s, p) => s + p.size, 0),
    trainable: params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0),
    weights: rows.reduce((s, r) => s + r.weights, 0),
    activations: shapeSize(inputShape) + rows.reduce((s, r) => s + r.activations, 0),
    macs: rows.reduce((s, r) => s + r.macs, 0),
  };
  const aggregate = (group: (n: string) => string | null): SummaryRow[] => {
    const out = new Map<string, SummaryRow>();
    for (const r of rows) {
      const g = group(r.name);
      if (g === null) continue;
      const a = out.get(g) ?? { name: g, type: lastOutput.get(g)?.type ?? r.type, outputShape: r.outputShape, params: 0, weights: 0, activations: 0, macs: 0 };
      a.outputShape = lastOutput.get(g)?.shape ?? r.outputShape;
      a.params += r.params;
      a.weights += r.weights;
      a.activations += r.activations;
      a.macs += r.macs;
      out.set(g, a);
    }
    return [...out.values()];
  };
  return {
    rows,
    totals,
    inputShape: inputShape.slice(),
    aggregate,
    byBlock(depth = 1) {
      check(Number.isInteger(depth) && depth >= 1, op, `depth must be a positive integer, got ${depth}`);
      return aggregate((n) => n.split('.').slice(0, depth).join('.'));
    },
    toString() {
      return formatTable(rows, totals, inputShape);
    },
  };
}

/** `[N,C,H,W]` as the lecture writes it per image: `HxWxC`; other ranks: sizes after the batch joined by x. */
export function perImageShape(shape: number[]): string {
  if (shape.length === 4) return `${shape[2]}x${shape[3]}x${shape[1]}`;
  return shape.slice(1).join('x') || '1';
}

const num = (n: number) => n.toLocaleString('en-US');

/** A plain-text table: name, type, output, memory (elements), params, MACs, and a totals line. */
export function formatTable(rows: SummaryRow[], totals: Summary['totals'], inputShape: number[]): string {
  const head = ['layer', 'type', 'output', 'memory', 'params', 'MACs'];
  const body = [
    ['input', '', perImageShape(inputShape), num(shapeSize(inputShape)), '0', '0'],
    ...rows.map((r) => [r.name, r.type, perImageShape(r.outputShape), num(r.activations), num(r.params), num(r.macs)]),
  ];
  const foot = ['total', '', '', num(totals.activations), num(totals.params), num(totals.macs)];
  const all = [head, ...body, foot];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [
    line(head), rule, ...body.map(line), rule, line(foot),
    `batch ${inputShape[0]}; memory = output elements stored; params ${num(totals.params)} (trainable ${num(totals.trainable)}, conv/linear weights ${num(totals.weights)})`,
  ].join('\n');
}
