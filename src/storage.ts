import { SimdnnError } from './errors.js';
import { backend, type Backend } from './runtime/backend.js';
import { clock } from './memory/clock.js';
import { adoptStep, dropStep } from './memory/steps.js';
import { openForward, type ForwardScope } from './memory/forward-scope.js';
import { countAdded, countRemoved, uncountUnowned } from './memory/live-count.js';
import { inTidy } from './scope.js';

interface Token {
  ptr: number;
  epoch: number;
  done: boolean;
  bytes: number;
  era: number;
  /** Counted as made outside tidy and not kept (rule 3 of docs/memory.md). */
  unowned: boolean;
}

/**
 * A block of wasm memory owned by one or more tensors (views share it).
 * Released by `dispose()`, by the end of a `tidy` scope, by the rules of
 * docs/memory.md (src/memory/), or, as a safety net, by the garbage collector
 * when no tensor references it any more.
 */
export class Storage {
  readonly ptr: number;
  readonly bytes: number;
  readonly epoch: number;
  released = false;
  /** Tensors (views) sharing this block; released when the last is disposed. */
  refs = 0;
  /** The step (era) it was made in and the last one that used it (every op goes through `live`). */
  readonly madeEra: number;
  lastUse: number;
  /** Never released by the step rules: parameters, buffers, gradients, optimizer state, `sn.keep`. */
  persistent = false;
  /** The outermost module forward that made it, until that forward is settled (memory/forward-scope.ts). */
  forward: ForwardScope | null = null;
  /**
   * Changes whenever the block may have been written: every `Tensor.ptr()` (any
   * holder of the address may write through it) bumps it, only
   * `Tensor.readPtr()` does not. Caches of values derived from the block
   * (src/ops/conv2d/weight-cache.ts) are valid while it is unchanged.
   */
  version = 0;
  /** Called once when the block is released (explicitly or by a rule; not on GC): frees what was derived from it. */
  private onRelease: (() => void)[] | null = null;
  /** Why a memory rule released it, for the error a later use throws. */
  private releaseNote: string | null = null;
  private readonly token: Token;

  constructor(bytes: number, op: string) {
    const b = backend(op);
    this.bytes = bytes;
    this.ptr = bytes > 0 ? b.heap.alloc(bytes) : 0;
    this.epoch = b.epoch;
    this.madeEra = this.lastUse = clock.era;
    const unowned = bytes > 0 && !inTidy();
    this.token = { ptr: this.ptr, epoch: b.epoch, done: bytes === 0, bytes, era: clock.era, unowned };
    if (bytes === 0) return;
    collector.register(this, this.token, this.token);
    countAdded(b.epoch, bytes, unowned);
    if (unowned) adoptStep(this);
    const f = openForward();
    if (f !== null) {
      this.forward = f;
      f.made.push(this);
    }
  }

  /** The backend, after checking this storage is still live; records the use for the step rule. */
  live(op: string): Backend {
    if (this.released) throw new SimdnnError(op, `the tensor was ${this.releaseNote ?? 'released (disposed, or freed at the end of its tidy scope) and cannot be used'}`);
    const b = backend(op);
    if (b.epoch !== this.epoch) throw new SimdnnError(op, 'the tensor was made before the last init()/shutdown() and its memory is gone');
    this.lastUse = clock.era;
    return b;
  }

  /** How it was released, for messages ('released (disposed, …)' or the rule that freed it). */
  get releasedHow(): string {
    return this.releaseNote ?? 'released (disposed, or freed at the end of its tidy scope)';
  }

  heapOf(op: string) {
    return this.live(op).heap;
  }

  /** Exempts it from every automatic release (sn.keep, parameters, gradients, optimizer state). */
  makePersistent(): void {
    if (this.persistent) return;
    this.persistent = true;
    dropStep(this);
    if (this.token.unowned) {
      if (this.token.era === clock.era) uncountUnowned(this.bytes);
      this.token.unowned = false;
    }
  }

  /** Released by a memory rule: `note` completes "the tensor was …" in the error a later use throws. */
  releaseWith(note: string): void {
    if (this.released) return;
    this.releaseNote = note;
    this.release();
  }

  /** Runs `fn` when this block is released (derived caches free their copies). */
  whenReleased(fn: () => void): void {
    (this.onRelease ??= []).push(fn);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.forward = null;
    const hooks = this.onRelease;
    this.onRelease = null;
    if (hooks) for (const fn of hooks) fn();
    if (this.token.done) return;
    this.token.done = true;
    collector.unregister(this.token);
    dropStep(this);
    forget(this.token);
  }
}

/** Frees the block (when its backend still runs) and uncounts it. */
function forget(token: Token): void {
  countRemoved(token.epoch, token.bytes, token.unowned && token.era === clock.era);
  let b: Backend;
  try {
    b = backend();
  } catch {
    return; // shut down: the whole memory is gone already
  }
  if (b.epoch === token.epoch) b.heap.release(token.ptr);
}

const collector = new FinalizationRegistry<Token>((token) => {
  if (token.done) return;
  token.done = true;
  forget(token);
});
