import { check, SimdnnError } from '../errors.js';
import { Module } from './module.js';

/**
 * A list of sub-modules named '0', '1', … (PyTorch's nn.ModuleList): what a
 * plain array cannot do, since only modules assigned to a property or
 * registered are seen by parameters()/stateDict(). It has no forward.
 */
export class ModuleList extends Module {
  static override readonly typeName: string = 'ModuleList';
  static override readonly _keepsNoActivations: boolean = true;
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  get length(): number {
    return this.items.length;
  }
  /** The i-th module; negative counts from the end. */
  at(i: number): Module {
    const n = this.items.length;
    check(Number.isInteger(i) && i >= -n && i < n, 'ModuleList', `index ${i} is out of range for ${n} modules`);
    return this.items[i < 0 ? i + n : i];
  }
  append(m: Module): this {
    this.items.push(this.registerModule(String(this.items.length), m));
    return this;
  }
  extend(modules: Iterable<Module>): this {
    check(modules !== null && typeof (modules as Iterable<Module>)[Symbol.iterator] === 'function', 'ModuleList', 'modules must be an iterable of Modules');
    const list = [...modules];
    list.forEach((m, k) => check(m instanceof Module, 'ModuleList', `element ${k} is not a Module`));
    for (const m of list) this.append(m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new SimdnnError('ModuleList', 'a ModuleList has no forward: iterate over it in your module\'s forward');
  }
}

/** Sub-modules by name, in insertion order (PyTorch's nn.ModuleDict). It has no forward. */
export class ModuleDict extends Module {
  static override readonly typeName: string = 'ModuleDict';
  static override readonly _keepsNoActivations: boolean = true;
  private readonly items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    check(modules !== null && typeof modules === 'object', 'ModuleDict', 'modules must be an object or an iterable of [name, Module] pairs');
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    entries.forEach(([k, m]) => check(m instanceof Module, 'ModuleDict', `'${String(k)}' is not a Module`));
    for (const [k, m] of entries) this.set(k, m);
  }

  get size(): number {
    return this.items.size;
  }
  has(key: string): boolean {
    return this.items.has(key);
  }
  get(key: string): Module {
    const m = this.items.get(key);
    if (m === undefined) throw new SimdnnError('ModuleDict', `no module '${key}' (keys: ${[...this.items.keys()].join(', ')})`);
    return m;
  }
  /** Adds `m` under `key`; an existing key is replaced in place (its position is kept, as PyTorch). */
  set(key: string, m: Module): this {
    check(m instanceof Module, 'ModuleDict', `'${String(key)}' must be a Module`);
    if (this.items.has(key)) this._replaceModule(key, m);
    else this.registerModule(key, m);
    this.items.set(key, m);
    return this;
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  values(): Module[] {
    return [...this.items.values()];
  }
  entries(): [string, Module][] {
    return [...this.items];
  }
  forward(): never {
    throw new SimdnnError('ModuleDict', 'a ModuleDict has no forward: pick its modules in your module\'s forward');
  }
}
