// Median-of-samples timing with warm-up, shared by the benchmark suites.
// Warm-up matters: the first calls on fresh wasm pages run ~0.55x, and JIT
// tiers up during the first runs.

// Wall-clock by default. BENCH_CLOCK=cpu times with this process's CPU time
// instead: for one-thread work on a machine shared with other jobs it leaves
// out the time the process waited for a core (it still counts cache and
// memory-bandwidth contention). Only meaningful when the timed work runs on
// this process's threads, one at a time.
// This file also loads in a browser page or worker (bench/browser.mjs times the
// same LeNet step there), where there is no `process`: wall clock only.
const nodeProcess = globalThis.process;
const cpuClock = nodeProcess?.env?.BENCH_CLOCK === 'cpu';
export const clockName = cpuClock ? 'process CPU time' : 'wall clock';
const cpuNow = () => {
  const u = nodeProcess.cpuUsage();
  return (u.user + u.system) / 1000;
};
const now = cpuClock ? cpuNow : () => performance.now();
/** The clock the samples use (milliseconds): for timing single calls the same way. */
export const clockNow = now;

async function call(fn) {
  const r = fn();
  if (r && typeof r.then === 'function') await r;
}

/**
 * Median milliseconds per call of `fn` (sync or async). Each sample repeats
 * `fn` until it lasts at least `sampleMs`, so short calls are not timer noise.
 */
export async function medianMs(fn, opts = {}) {
  return (await timeSamples(fn, opts)).median;
}

/** Fastest sample's milliseconds per call: for a ceiling, which is what the machine can do at best. */
export async function bestMs(fn, opts = {}) {
  return (await timeSamples(fn, opts)).best;
}

async function timeSamples(fn, { warmupMs = 200, warmupCalls = 3, sampleMs = 30, samples = 7 } = {}) {
  const w0 = now();
  let calls = 0;
  while (calls < warmupCalls || now() - w0 < warmupMs) {
    await call(fn);
    calls++;
  }
  const perCall = (now() - w0) / calls;
  const inner = Math.max(1, Math.ceil(sampleMs / Math.max(perCall, 1e-3)));
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t0 = now();
    for (let i = 0; i < inner; i++) await call(fn);
    times.push((now() - t0) / inner);
  }
  times.sort((a, b) => a - b);
  return { median: times[samples >> 1], best: times[0] };
}

/** The median of a list of numbers (the upper one of the middle two for an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Wall-clock ms of whole calls of `fn` (sync or async), for work too long to
 * repeat inside a sample: `warmup` calls, then at least `minRuns` samples, more
 * while under `budgetMs` up to `maxRuns`. `fn` may return its own measured ms
 * (a number) instead of being timed whole. Returns the samples.
 */
export async function wholeCallSamples(fn, { warmup = 2, minRuns = 5, maxRuns = 100, budgetMs = 0 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const ts = [];
  const start = performance.now();
  while (ts.length < minRuns || (performance.now() - start < budgetMs && ts.length < maxRuns)) {
    const t0 = performance.now();
    const r = await fn();
    ts.push(typeof r === 'number' ? r : performance.now() - t0);
  }
  return ts;
}

/**
 * `fn` as wholeCallSamples takes it: under BENCH_CLOCK=cpu it returns its own
 * process-CPU milliseconds (so the samples are CPU time), else undefined (timed
 * whole, wall clock).
 */
export const cpuTimed = (fn) => (cpuClock ? () => { const t0 = cpuNow(); fn(); return cpuNow() - t0; } : fn);

/** Seeded uniform values in [-1, 1) so every implementation sees the same inputs. */
export function seededArray(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}
