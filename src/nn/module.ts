import { check, fmtShape, SimdnnError } from '../errors.js';
import { keep } from '../scope.js';
import { isTensor, sameShape, Tensor } from '../tensor.js';
import { escape, runForward } from '../memory/forward-scope.js';
import { stepBoundary } from '../memory/steps.js';
import { copyOf } from '../ops/basic.js';
import { graphForward } from '../graph/module-graph.js';

/** Called after a module's forward with its inputs and output (PyTorch's forward hook). */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => void;

const observers = new WeakSet<ForwardHook>();
/**
 * @internal Marks a library hook that only reads what it sees during the call
 * (shapes, tensor identity) and keeps no tensor to use later (summary,
 * foldBatchNorm), so it does not stop a no-grad pass from freeing activations.
 */
export function observingHook(h: ForwardHook): ForwardHook {
  observers.add(h);
  return h;
}

/**
 * Marks `t` as a trainable parameter: it requires gradients and is exempt from
 * the `tidy` scope it was made in, so a model built inside `sn.tidy` survives it.
 */
export function parameter(t: Tensor): Tensor {
  keep(t);
  t.requiresGrad = true;
  parameters.add(t);
  return t;
}
/** Tensors marked by `parameter` (PyTorch's nn.Parameter type): only these register when assigned to a module. */
const parameters = new WeakSet<Tensor>();


/**
 * The base of every layer and model (PyTorch's `nn.Module`). Subclasses
 * register their parameters, buffers and sub-modules by name in construction
 * order; those names, joined with dots, are the `stateDict` keys, identical to
 * torchvision's. `forward` is wrapped per instance so that hooks (used by
 * `sn.summary`) see every call, however the module is reached.
 *
 * Assignment registers, as PyTorch's `__setattr__`: `this.conv1 = new Conv2d(…)`
 * is a sub-module named 'conv1' and `this.w = parameter(t)` a parameter 'w', in
 * assignment order; assigning a different Module/parameter to a registered name
 * replaces it in place (`model.fc = new Linear(512, 10)`). Buffers register only
 * through `registerBuffer` (a plain Tensor attribute is not state, as in
 * PyTorch); arrays of modules need `ModuleList`.
 * How: JavaScript cannot intercept field assignment without a Proxy, and a Proxy
 * slows every `this.x` read in forward (reads go through the proxy's [[Get]] even
 * with only a `set` trap). So every walk over the registry (namedModules,
 * parameters, stateDict, train, apply, …) first scans the module's own
 * enumerable properties (`syncAssigned`): the order of Object.keys is the
 * properties' creation order, i.e. the assignment order.
 */
export abstract class Module {
  /** The type shown by `summary`; explicit because minified bundles rename classes. */
  static readonly typeName: string = 'Module';
  /**
   * @internal Set (as the class's own static, never inherited) by library layers
   * whose forward keeps no reference to its input or output and depends only on
   * its inputs and its own state: under noGrad a tree of such modules runs as a
   * traced graph that frees each activation after its last reader and fuses
   * layers (src/graph/, docs/graph.md). User subclasses are never assumed to qualify.
   */
  static readonly _keepsNoActivations: boolean = false;
  training = true;
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _modules = new Map<string, Module>();
  private readonly _hooks = new Set<ForwardHook>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): any;

  constructor() {
    const impl = this.forward;
    const self = this;
    Object.defineProperty(this, 'forward', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function hookedForward(...args: unknown[]) {
        return runForward(self.typeName, () => {
          // Under noGrad a library module runs as a traced, fused graph (src/graph/module-graph.ts).
          const graph = graphForward(self, impl, args);
          const out = graph !== null ? graph.out : impl.apply(self, args);
          if (self._hooks.size > 0) {
            // A hook may keep what it sees: those tensors are the caller's now, not internal.
            if (self._hasHooks()) escape([args, out], isTensor);
            for (const h of [...self._hooks]) h(self, args, out);
          }
          return out;
        }, isTensor);
      },
    });
  }

  /** The class's own `typeName`, else its JavaScript name (user classes need not declare one). */
  get typeName(): string {
    const ctor = this.constructor as typeof Module;
    return Object.prototype.hasOwnProperty.call(ctor, 'typeName') ? ctor.typeName : ctor.name || 'Module';
  }

  /** Registers a parameter (or an absent one, `null`, like a conv without bias) and returns it. */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    this.checkName(name, 'registerParameter');
    if (t !== null) {
      check(t instanceof Tensor, 'registerParameter', `'${name}' must be a Tensor or null`);
      parameter(t);
    }
    this._parameters.set(name, t);
    return t;
  }

  /** Registers a buffer: state saved in `stateDict` that is not trained (batch norm's running statistics). */
  registerBuffer(name: string, t: Tensor | null): Tensor | null {
    this.checkName(name, 'registerBuffer');
    if (t !== null) {
      check(t instanceof Tensor, 'registerBuffer', `'${name}' must be a Tensor or null`);
      keep(t);
    }
    this._buffers.set(name, t);
    return t;
  }

  /** Registers a sub-module under `name` (its parameters become `name.<param>`) and returns it. */
  registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name, 'registerModule');
    check(m instanceof Module, 'registerModule', `'${name}' must be a Module`);
    this._modules.set(name, m);
    return m;
  }

  /** Registers what was assigned as an own property since the last scan (see the class comment). */
  private syncAssigned(): void {
    const own = this as unknown as Record<string, unknown>;
    let known: Set<unknown> | null = null;
    for (const key of Object.keys(this)) {
      const v = own[key];
      const isModule = v instanceof Module;
      if (!isModule && !(v instanceof Tensor && parameters.has(v))) continue;
      known ??= new Set<unknown>([...this._modules.values(), ...this._parameters.values(), ...this._buffers.values()]);
      if (known.has(v)) continue; // registered already (under this name or the one registerX was given)
      if (isModule && (this._modules.has(key) || this.freeName(key))) this._modules.set(key, v);
      else if (!isModule && (this._parameters.has(key) || this.freeName(key))) this._parameters.set(key, v as Tensor);
      else {
        throw new SimdnnError(this.typeName, `'${key}' was assigned a ${isModule ? 'Module' : 'parameter'} but is registered on this ${this.typeName} as a ${this._buffers.has(key) ? 'buffer' : isModule ? 'parameter' : 'sub-module'}`);
      }
      known.add(v);
    }
  }

  private freeName(name: string): boolean {
    return !this._parameters.has(name) && !this._buffers.has(name) && !this._modules.has(name);
  }

  // No scan here: a class may create modules in field initialisers and register
  // them explicitly in a chosen order (LeNet5); the scan then finds them registered.
  private checkName(name: string, op: string): void {
    check(typeof name === 'string' && name.length > 0 && !name.includes('.'), op, `name must be a non-empty string without '.', got '${String(name)}'`);
    check(!this._parameters.has(name) && !this._buffers.has(name) && !this._modules.has(name), op, `'${name}' is already registered on this ${this.typeName}`);
  }

  /** @internal Replaces the registered sub-module `name` in place (ModuleDict.set on an existing key). */
  protected _replaceModule(name: string, m: Module): void {
    check(this._modules.has(name), '_replaceModule', `no sub-module '${name}'`);
    this._modules.set(name, m);
  }

  /** Replaces a registered parameter or buffer tensor in place of the old one (same name). */
  protected setTensor(name: string, t: Tensor): void {
    if (this._parameters.has(name)) this._parameters.set(name, parameter(t));
    else if (this._buffers.has(name)) this._buffers.set(name, keep(t));
    else throw new SimdnnError('setTensor', `no parameter or buffer '${name}' on this ${this.typeName}`);
  }

  namedChildren(): [string, Module][] {
    this.syncAssigned();
    return [...this._modules];
  }
  children(): Module[] {
    this.syncAssigned();
    return [...this._modules.values()];
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      m.syncAssigned();
      out.push([p, m]);
      for (const [n, c] of m._modules) walk(c, p ? `${p}.${n}` : n);
    };
    walk(this, prefix);
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names, each listed once, in registration order (PyTorch's `named_parameters`). */
  namedParameters(): [string, Tensor][] {
    return this.namedTensors((m) => m._parameters);
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }
  namedBuffers(): [string, Tensor][] {
    return this.namedTensors((m) => m._buffers);
  }
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  private namedTensors(pick: (m: Module) => Map<string, Tensor | null>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [p, m] of this.namedModules()) {
      for (const [n, t] of pick(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([p ? `${p}.${n}` : n, t]);
      }
    }
    return out;
  }

  /** Applies `fn` to every sub-module and then to this one (PyTorch's order); returns this. */
  apply(fn: (m: Module) => void): this {
    this.syncAssigned();
    for (const c of this._modules.values()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Training mode (dropout active, batch norm uses and updates batch statistics). */
  train(mode = true): this {
    check(typeof mode === 'boolean', 'train', `mode must be true or false, got ${String(mode)}`);
    this.training = mode;
    this.syncAssigned();
    for (const c of this._modules.values()) c.train(mode);
    return this;
  }
  /** Inference mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Drops every parameter's gradient: releases its memory and sets `.grad` to
   * null (as the optimizers' zeroGrad). A step boundary (docs/memory.md).
   */
  zeroGrad(): void {
    stepBoundary(`${this.typeName}.zeroGrad`);
    for (const p of this.parameters()) {
      if (p.grad !== null) {
        p.grad.dispose();
        p.grad = null;
      }
    }
  }

  /** @internal Whether a forward hook is attached; unless `observersToo`, only hooks that may keep the tensors they see. */
  _hasHooks(observersToo = false): boolean {
    for (const h of this._hooks) if (observersToo || !observers.has(h)) return true;
    return false;
  }

  /** Runs hook after every forward of this module; `remove()` detaches it. */
  registerForwardHook(hook: ForwardHook): { remove(): void } {
    check(typeof hook === 'function', 'registerForwardHook', 'hook must be a function');
    this._hooks.add(hook);
    return { remove: () => this._hooks.delete(hook) };
  }

  /**
   * Parameters and buffers by dotted name, as copies (a later training step
   * does not change them), in PyTorch's `state_dict` order: each module's own
   * parameters, then its buffers, then its children. The copies are kept (as
   * `optimizer.stateDict()`'s): a snapshot such as `best = model.stateDict()`
   * outlives the training steps (docs/memory.md); dispose them when done.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.namedStates()) out[name] = keep(copyOf(t));
    return out;
  }

  /** Parameters and buffers by dotted name in `stateDict` order, the live tensors (not copies). */
  namedStates(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) {
      for (const map of [m._parameters, m._buffers]) {
        for (const [n, t] of map) if (t !== null) out.push([p ? `${p}.${n}` : n, t]);
      }
    }
    return out;
  }

  /**
   * Copies `sd`'s tensors into this module's parameters and buffers (in place,
   * so optimizers holding them stay valid). Every name and shape is checked
   * before anything is written. `strict` (default true): `sd` must hold exactly
   * this module's keys; with `strict: false` missing and unexpected keys are
   * skipped and reported.
   */
  loadStateDict(sd: Record<string, Tensor>, opts: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const op = 'loadStateDict';
    check(opts !== null && typeof opts === 'object', op, 'options must be an object, e.g. { strict: false }');
    for (const k of Object.keys(opts)) check(k === 'strict', op, `unknown option '${k}' (valid: strict)`);
    const strict = opts.strict ?? true;
    check(typeof strict === 'boolean', op, `strict must be true or false, got ${String(strict)}`);
    check(sd !== null && typeof sd === 'object', op, 'stateDict must be an object of name -> Tensor');
    const own = new Map(this.namedStates());
    const missingKeys = [...own.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(sd, k));
    const unexpectedKeys = Object.keys(sd).filter((k) => !own.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys ${listNames(missingKeys)}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys ${listNames(unexpectedKeys)}`);
      throw new SimdnnError(op, `${parts.join('; ')} (pass { strict: false } to load the matching ones)`);
    }
    const pairs: [Tensor, Tensor][] = [];
    for (const [name, dst] of own) {
      if (!Object.prototype.hasOwnProperty.call(sd, name)) continue;
      const src = sd[name];
      check(src instanceof Tensor, op, `'${name}' must be a Tensor, got ${Object.prototype.toString.call(src)}`);
      check(sameShape(src.shape, dst.shape), op, () => `'${name}' has shape ${fmtShape(src.shape)} but the model's is ${fmtShape(dst.shape)}`);
      src.ptr(op);
      dst.ptr(op);
      pairs.push([dst, src]);
    }
    for (const [dst, src] of pairs) if (dst !== src) dst.view(op).set(src.view(op));
    return { missingKeys, unexpectedKeys };
  }

  /** Releases the memory of every parameter, gradient and buffer; the module is unusable afterwards. */
  dispose(): void {
    for (const [, t] of this.namedStates()) {
      t.grad?.dispose();
      t.dispose();
    }
  }

  toString(): string {
    this.syncAssigned();
    const lines = [`${this.typeName}(`];
    for (const [n, c] of this._modules) lines.push(`  (${n}): ${c.toString().split('\n').join('\n  ')}`);
    return lines.length === 1 ? `${this.typeName}()` : `${lines.join('\n')}\n)`;
  }
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `'${n}'`).join(', ');
  return names.length > 8 ? `${shown} … (${names.length} in all)` : shown;
}

/** Runs its modules in order, each on the previous one's output; children are named '0', '1', … */
export class Sequential extends Module {
  static override readonly typeName: string = 'Sequential';
  static override readonly _keepsNoActivations: boolean = true;
  private readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers.map((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }
  at(i: number): Module {
    check(Number.isInteger(i) && i >= 0 && i < this.layers.length, 'Sequential', `index ${i} is out of range for ${this.layers.length} modules`);
    return this.layers[i];
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }
}
