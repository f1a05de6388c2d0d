// The one door from simdnn/node into the core runtime. dist/node.js is its own
// bundle: scripts/bundle.mjs leaves this import of '../../index.js' as an
// import of the sibling dist/index.js, so a WorkerDataLoader batch's tensor
// (`batch.x`) lives in the runtime the user initialised, and its step
// boundaries are the memory rules' (docs/memory.md), instead of a second,
// uninitialised copy's.
import { data, _internal } from '../../index.js';

export const Batch = data.Batch;
export type Batch = InstanceType<typeof data.Batch>;
export const stepBoundary = _internal.stepBoundary;
