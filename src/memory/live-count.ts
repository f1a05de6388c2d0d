/**
 * Live tensor memory for `backendInfo()` (liveTensors, liveBytes) and rule 3
 * of docs/memory.md: tensors that no rule will free (made outside any tidy,
 * not kept) piling up since the last step boundary are reported once.
 */
export const LEAK_WARNING_COUNT = 10_000;

const counts = { epoch: -1, tensors: 0, bytes: 0, sinceBoundary: 0, sinceBoundaryBytes: 0 };
let warned = false;

/** Counts a new storage of backend `epoch`; `unowned`: made outside tidy and not kept (may leak). */
export function countAdded(epoch: number, bytes: number, unowned: boolean): void {
  if (counts.epoch !== epoch) Object.assign(counts, { epoch, tensors: 0, bytes: 0, sinceBoundary: 0, sinceBoundaryBytes: 0 });
  counts.tensors++;
  counts.bytes += bytes;
  if (!unowned) return;
  counts.sinceBoundary++;
  counts.sinceBoundaryBytes += bytes;
  if (counts.sinceBoundary > LEAK_WARNING_COUNT && !warned) {
    warned = true;
    console.warn(leakWarning(counts.sinceBoundary, counts.sinceBoundaryBytes));
  }
}

/** Uncounts a storage released or collected; `sinceBoundary`: it was still counted as a possible leak. */
export function countRemoved(epoch: number, bytes: number, sinceBoundary: boolean): void {
  if (counts.epoch !== epoch) return; // a storage of an earlier init: its memory is gone with it
  counts.tensors--;
  counts.bytes -= bytes;
  if (sinceBoundary) uncountUnowned(bytes);
}

/** A storage counted as unowned is now owned (kept) or released. */
export function uncountUnowned(bytes: number): void {
  counts.sinceBoundary--;
  counts.sinceBoundaryBytes -= bytes;
}

/** A step boundary: what was made before it is the boundary's business now. */
export function resetSinceBoundary(): void {
  counts.sinceBoundary = 0;
  counts.sinceBoundaryBytes = 0;
}

/** Live storages and their bytes for backend `epoch`. */
export function liveCounts(epoch: number): { liveTensors: number; liveBytes: number } {
  return counts.epoch === epoch ? { liveTensors: counts.tensors, liveBytes: counts.bytes } : { liveTensors: 0, liveBytes: 0 };
}

/** @internal Tests: allow the one warning again. */
export function _resetLeakWarning(): void {
  warned = false;
}

function leakWarning(n: number, bytes: number): string {
  return `simdnn: ${n} tensors (${(bytes / 2 ** 20).toFixed(1)} MiB) made since the last step boundary are still alive and no rule will free them. ` +
    'In a training loop call opt.zeroGrad() (or model.zeroGrad()) once per step; in an inference loop run each iteration inside sn.noGrad(() => …); ' +
    'otherwise wrap the work in sn.tidy(() => …) or dispose() tensors when done (docs/memory.md). This warning is shown once.';
}
