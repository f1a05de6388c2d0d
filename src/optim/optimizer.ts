import { kernels } from '../runtime/kernel-calls.js';
import { check, fmtShape, SimdnnError } from '../errors.js';
import { copyOf } from '../ops/basic.js';
import { elementwiseThreads } from '../ops/launch.js';
import { keep } from '../scope.js';
import { stepBoundary } from '../memory/steps.js';
import { sameShape, Tensor } from '../tensor.js';

/** A parameter group as given to a constructor: its tensors and any options that override the defaults. */
export type ParamGroupSpec<O> = { params: Tensor[] } & Partial<O>;
/** A parameter group as the optimizer keeps it: every option filled in. */
export type ParamGroup<O> = { params: Tensor[] } & O;
export type OptimizerParams<O> = Tensor[] | ParamGroupSpec<O>[];

/** Per-parameter state: a step count and state tensors (kept out of `tidy` scopes). */
export type ParamState = Record<string, Tensor | number>;

/** What `stateDict()` returns: plain data plus tensor copies, like PyTorch's `optimizer.state_dict()`. */
export interface OptimizerStateDict {
  /** Keyed by the parameter's index over all groups, in order. */
  state: Record<number, Record<string, Tensor | number>>;
  /** Each group's options, with `params` as indices. */
  paramGroups: Record<string, unknown>[];
}

/** Option checks shared by the optimizers: a finite number ≥ 0 (or inside a range). */
export function checkNumber(op: string, name: string, v: unknown, { min = 0, max = Infinity, maxOpen = false } = {}): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SimdnnError(op, `${name} must be a finite number, got ${String(v)}`);
  if (v < min || v > max || (maxOpen && v === max)) {
    throw new SimdnnError(op, `${name} must be in [${min}, ${max}${maxOpen ? ')' : ']'}, got ${v}`);
  }
}

/**
 * The base of SGD, Adam and AdamW: parameter groups, option checks, state in the
 * persistent heap, `zeroGrad`, `stateDict`. Subclasses validate a group's options
 * (`validateGroup`) and update one parameter (`update`).
 */
export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** State per parameter, created on its first step. */
  readonly state = new Map<Tensor, ParamState>();
  protected readonly op: string;
  protected readonly defaults: O;

  protected constructor(op: string, params: OptimizerParams<O>, defaults: O) {
    this.op = op;
    this.defaults = defaults;
    this.validateGroup(defaults);
    check(Array.isArray(params), op, `params must be an array of tensors or of parameter groups, got ${String(params)}`);
    check(params.length > 0, op, 'got an empty parameter list (model.parameters() is empty: a module registers the sub-modules and parameter(...) tensors assigned to its own properties, e.g. this.fc = new nn.Linear(4, 2), or passed to registerModule/registerParameter; a plain array of modules needs nn.ModuleList)');
    const groups: ParamGroupSpec<O>[] = params.every((p) => p instanceof Tensor)
      ? [{ params: params as Tensor[] } as ParamGroupSpec<O>]
      : (params as ParamGroupSpec<O>[]);
    // Validate every group before keeping any (a failed constructor keeps nothing).
    const built = groups.map((g, i) => this.buildGroup(g, i));
    const seen = new Set<Tensor>();
    for (const g of built) {
      for (const p of g.params) {
        check(!seen.has(p), op, 'a parameter appears in more than one place (each parameter may be listed once)');
        seen.add(p);
      }
    }
    this.paramGroups.push(...built);
  }

  /** Adds a group (PyTorch's `add_param_group`); its options default to the constructor's. */
  addParamGroup(group: ParamGroupSpec<O>): void {
    const g = this.buildGroup(group, this.paramGroups.length);
    const all = new Set(this.paramGroups.flatMap((x) => x.params));
    for (const p of g.params) check(!all.has(p), this.op, 'a parameter of the new group is already in another group');
    this.paramGroups.push(g);
  }

  private buildGroup(spec: ParamGroupSpec<O>, index: number): ParamGroup<O> {
    const op = this.op;
    check(spec !== null && typeof spec === 'object' && !(spec instanceof Tensor), op, `params[${index}] must be a Tensor or a { params, ...options } group`);
    check(Array.isArray(spec.params), op, `group ${index}: params must be an array of tensors`);
    spec.params.forEach((p, j) => {
      check(p instanceof Tensor, op, `group ${index}: params[${j}] is not a Tensor`);
      p.ptr(op);
      check(p.isLeaf, op, `group ${index}: params[${j}] ${fmtShape(p.shape)} is not a leaf tensor (optimize leaves, e.g. detach() it)`);
    });
    for (const k of Object.keys(spec)) {
      if (k !== 'params' && !(k in this.defaults)) {
        throw new SimdnnError(op, `unknown option '${k}' (valid: ${Object.keys(this.defaults).join(', ')})`);
      }
    }
    const g = { ...this.defaults, ...spec, params: spec.params.slice() } as ParamGroup<O>;
    this.validateGroup(g);
    return g;
  }

  /** The first group's learning rate; setting it sets every group's (what schedulers do per group). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(v: number) {
    checkNumber(this.op, 'lr', v);
    for (const g of this.paramGroups) g.lr = v;
  }

  /**
   * Drops the gradients (PyTorch's `zero_grad(set_to_none=True)`): no pass over
   * memory; the blocks go back to the heap and the next backward reuses them.
   * A `.grad` tensor you still hold is released too: copy it first if you need it.
   * A step boundary (docs/memory.md).
   */
  zeroGrad(): void {
    stepBoundary('optimizer.zeroGrad');
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad !== null) {
          p.grad.dispose();
          p.grad = null;
        }
      }
    }
  }

  /** Updates every parameter that has a gradient; all are checked before any is touched. */
  step(): void {
    for (const g of this.paramGroups) {
      this.validateGroup(g); // options are plain fields a user may have changed
      for (const p of g.params) {
        p.ptr(this.op);
        const grad = p.grad;
        if (grad === null) continue;
        check(!grad.isDisposed, this.op, () => `the gradient of parameter ${fmtShape(p.shape)} was released`);
        check(sameShape(grad.shape, p.shape), this.op, () => `gradient ${fmtShape(grad.shape)} does not match parameter ${fmtShape(p.shape)}`);
      }
    }
    for (const g of this.paramGroups) {
      for (const p of g.params) if (p.grad !== null) this.update(p, p.grad, g, this.stateOf(p));
    }
  }

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  protected abstract validateGroup(g: O): void;
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /** Options and state as plain data and tensor copies, for `loadStateDict` (resuming training). */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    const paramGroups: Record<string, unknown>[] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s) {
          const out: Record<string, Tensor | number> = {};
          for (const [k, v] of Object.entries(s)) out[k] = v instanceof Tensor ? keep(copyOf(v)) : v;
          state[index] = out;
        }
        ids.push(index++);
      }
      const { params: _params, ...opts } = g;
      paramGroups.push({ ...structuredClone(opts), params: ids });
    }
    return { state, paramGroups };
  }

  /**
   * Restores `stateDict()` output onto an optimizer built over the same
   * parameters (same groups, same sizes). Everything is checked first; a
   * mismatch throws and changes nothing.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.op}.loadStateDict`;
    check(sd !== null && typeof sd === 'object' && Array.isArray(sd.paramGroups) && sd.state !== null && typeof sd.state === 'object',
      op, 'expects { state, paramGroups } as stateDict() returns');
    check(sd.paramGroups.length === this.paramGroups.length, op, () => `has ${sd.paramGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`);
    const params = this.paramGroups.flatMap((g) => g.params);
    const newGroups = sd.paramGroups.map((saved, i) => {
      const ids = saved.params;
      const mine = this.paramGroups[i].params;
      check(Array.isArray(ids) && ids.length === mine.length, op, () => `group ${i} has ${Array.isArray(ids) ? ids.length : '?'} parameters, the optimizer's ${mine.length}`);
      for (const k of Object.keys(saved)) if (k !== 'params' && !(k in this.defaults)) throw new SimdnnError(op, `group ${i}: unknown option '${k}'`);
      const g = { ...this.paramGroups[i], ...structuredClone({ ...saved, params: undefined }), params: mine } as ParamGroup<O>;
      this.validateGroup(g);
      return g;
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const idx = Number(key);
      check(Number.isInteger(idx) && idx >= 0 && idx < params.length, op, `state key '${key}' is not a parameter index below ${params.length}`);
      const p = params[idx];
      const s: ParamState = {};
      for (const [k, v] of Object.entries(saved)) {
        if (typeof v === 'number') s[k] = v;
        else {
          check(v instanceof Tensor && !v.isDisposed, op, `state ${idx}.${k} must be a number or a live Tensor`);
          check(v.size === p.size, op, () => `state ${idx}.${k} ${fmtShape(v.shape)} does not match parameter ${fmtShape(p.shape)}`);
          s[k] = v;
        }
      }
      newState.set(p, s);
    }
    // Checked: now copy (the optimizer owns its state; the dict stays the caller's).
    for (const [p, s] of newState) {
      for (const [k, v] of Object.entries(s)) if (v instanceof Tensor) s[k] = stateCopy(v, p.shape);
    }
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    this.paramGroups.splice(0, this.paramGroups.length, ...newGroups);
  }
}

/** A copy of `src` with `shape` in the persistent heap (outside any `tidy` scope). */
function stateCopy(src: Tensor, shape: number[]): Tensor {
  const from = src.ptr('optimizer');
  const t = keep(new Tensor(shape, undefined, 'optimizer'));
  const heap = t.storage.heapOf('optimizer');
  heap.u8.copyWithin(t.ptr(), from, from + src.size * 4);
  return t;
}

/** A zero-filled state tensor in the persistent heap (outside any `tidy` scope). */
export function stateZeros(p: Tensor): Tensor {
  const t = keep(new Tensor(p.shape, undefined, 'optimizer'));
  kernels.fill({ dst: t.ptr(), v: 0, n: t.size }, elementwiseThreads(t.size));
  return t;
}

/** A state tensor in the persistent heap whose first use writes all of it (no fill pass). */
export function stateEmpty(p: Tensor): Tensor {
  return keep(new Tensor(p.shape, undefined, 'optimizer'));
}
