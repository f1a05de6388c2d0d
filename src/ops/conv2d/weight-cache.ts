import { backend } from '../../runtime/backend.js';
import { sizeClass } from '../../runtime/heap.js';
import type { Storage } from '../../storage.js';
import { withScratch } from './scratch.js';

/**
 * Values derived from a weight (a transformed, packed filter bank) kept across
 * calls while the weight is unchanged, so inference pays for the transform
 * once per weight instead of once per call.
 *
 * Valid while the weight's storage has the version it had when the copy was
 * made: every `Tensor.ptr()` bumps it (an optimizer step, loadStateDict,
 * copy_, foldBatchNorm, an init, any in-place op: each gets the address
 * through ptr()), only `Tensor.readPtr()` does not, so a write the cache does
 * not see cannot happen. A copy is freed when its weight is released, and
 * with the memory at shutdown / init. At most MAX_BYTES are kept: a derived
 * form that does not fit is made in scratch each call (first come, first
 * kept: no eviction, so a model cycling through more layers than fit keeps
 * its first ones instead of thrashing).
 */

interface Entry {
  readonly ptr: number;
  readonly bytes: number;
  readonly epoch: number;
  version: number;
}

const MAX_BYTES_DEFAULT = 256 * 1024 * 1024;
let maxBytes = MAX_BYTES_DEFAULT;
/** Bytes kept in the memory of the running backend (copies from before an init() hold none). */
let counted = { epoch: -1, bytes: 0 };
/** Per weight storage, its derived forms by key (what and for which shape). */
const byOwner = new WeakMap<Storage, Map<string, Entry>>();
/** Frees an owner's copies when the owner is collected without a release. */
const collector = new FinalizationRegistry<Map<string, Entry>>(freeAll);

function freeAll(entries: Map<string, Entry>): void {
  for (const e of entries.values()) free(e);
  entries.clear();
}

function free(e: Entry): void {
  if (counted.epoch !== e.epoch) return;
  counted.bytes -= e.bytes;
  const b = backendOrNull();
  if (b && b.epoch === e.epoch) b.heap.release(e.ptr);
}

function backendOrNull(): ReturnType<typeof backend> | null {
  try {
    return backend();
  } catch {
    return null; // shut down: the memory is gone already
  }
}

/**
 * Runs `use` with `floats` floats derived from the weight that `owner` holds,
 * written by `fill(dst)`: the kept copy when it is still valid, else filled
 * now (and kept when it fits). With `owner` null (a gradient is being
 * recorded: the weight is about to change) it is filled in scratch. `key`
 * names the form and everything it depends on besides the weight's values
 * (shapes, flip, tile); the bits `use` sees are `fill`'s either way.
 */
export function withDerivedWeights<T>(owner: Storage | null, key: string, floats: number, fill: (dst: number) => void, use: (ptr: number) => T): T {
  if (owner === null || floats === 0) return withScratch([floats], (p) => (fill(p), use(p)));
  const b = backend('conv2d');
  let entries = byOwner.get(owner);
  const hit = entries?.get(key);
  if (hit && hit.epoch === b.epoch) {
    if (hit.version !== owner.version) {
      fill(hit.ptr);
      hit.version = owner.version;
    }
    return use(hit.ptr);
  }
  const bytes = sizeClass(floats * 4); // what the heap really holds for it (size classes: up to 12.5% more)
  if (hit) entries!.delete(key); // a copy from before the last init(): its memory is gone
  if (counted.epoch !== b.epoch) counted = { epoch: b.epoch, bytes: 0 };
  if (counted.bytes + bytes > maxBytes) return withScratch([floats], (p) => (fill(p), use(p)));
  const e: Entry = { ptr: b.heap.alloc(bytes), bytes, epoch: b.epoch, version: owner.version };
  counted.bytes += bytes;
  try {
    fill(e.ptr);
  } catch (err) {
    free(e);
    throw err;
  }
  if (!entries) {
    const mine = new Map<string, Entry>();
    entries = mine;
    byOwner.set(owner, mine);
    collector.register(owner, mine, mine);
    owner.whenReleased(() => {
      collector.unregister(mine);
      freeAll(mine);
    });
  }
  entries.set(key, e);
  return use(e.ptr);
}

/** @internal Bytes held by derived-weight copies now, and the limit (tests, benches). */
export function derivedWeightBytes(): { bytes: number; max: number } {
  const b = backendOrNull();
  return { bytes: b && b.epoch === counted.epoch ? counted.bytes : 0, max: maxBytes };
}

/** @internal Sets the limit (null: the default); copies already kept stay. For tests. */
export function setDerivedWeightLimit(bytes: number | null): void {
  maxBytes = bytes ?? MAX_BYTES_DEFAULT;
}
