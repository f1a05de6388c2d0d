import type { Storage } from '../storage.js';
import { clock } from './clock.js';
import { resetSinceBoundary } from './live-count.js';

/**
 * Rule 2 of docs/memory.md: step tensors. Once the first step boundary has
 * happened, every storage made outside `tidy` that nothing keeps is a step
 * storage. A boundary (optimizer/module zeroGrad, a DataLoader handing out a
 * batch, the public `sn.noGrad` returning) ends era E and releases every step
 * storage last used in era E-1 or before: a tensor lives until the end of the
 * step after the last step that used it.
 */
const steps = new Set<Storage>();
let boundaries = 0;

/** Registers a storage just made outside any tidy and not kept; in era 0 nothing is a step storage. */
export function adoptStep(s: Storage): void {
  if (clock.era > 0) steps.add(s);
}

/** The storage is persistent (kept) or released: no boundary will touch it. */
export function dropStep(s: Storage): void {
  steps.delete(s);
}

/** A step boundary named `by` (e.g. 'optimizer.zeroGrad'): ends the current era, releases what it outlived. */
export function stepBoundary(by: string): void {
  const ended = clock.era;
  boundaries++;
  clock.era = ended + 1;
  resetSinceBoundary();
  for (const s of steps) {
    if (s.lastUse < ended) s.releaseWith(releasedAtBoundary(s, boundaries, by));
  }
}

function releasedAtBoundary(s: Storage, boundary: number, by: string): string {
  return `released at step boundary ${boundary} (${by}): it was made in step ${s.madeEra} and last used in step ${s.lastUse}; ` +
    'tensors made during training live until the end of the step after their last use — keep one longer with sn.keep(t), ' +
    'or read it with toFloat32Array()/item()';
}

/** @internal Step storages alive now (tests). */
export function stepCount(): number {
  return steps.size;
}

/** A new backend (init after shutdown) starts over at era 0: its tensors made before a boundary are pre-loop data. */
export function restartClock(): void {
  steps.clear();
  clock.era = 0;
  boundaries = 0;
}
