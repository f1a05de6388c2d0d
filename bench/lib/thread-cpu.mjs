// CPU time and context switches of each thread of this process, from /proc/self/task (Linux; elsewhere
// empty), to say which threads an image's CPU goes to: for bench/lib/photo-folder-run.mjs.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // /proc's clock ticks (USER_HZ = 100 on Linux)

/** Map tid -> { name, ms (user + system), switches (voluntary + involuntary) }. */
export function threadCpu() {
  const threads = new Map();
  let tids = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[11] utime, f[12] stime
      const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
      const count = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      threads.set(tid, { name, ms: (Number(f[11]) + Number(f[12])) * TICK_MS, switches: count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches') });
    } catch {} // the thread ended meanwhile
  }
  return threads;
}

/**
 * CPU ms per image between two snapshots by kind of thread: 'main' (this thread: batch.x, waiting),
 * 'workers' (threads started after `early`, other than libvips': the data workers' JS: transforms,
 * floats, sharp's JS side, their garbage collection), 'libvips' (sharp's pixel work), 'node' (the
 * others, `early` taken once libuv's pool runs: libuv's pool, where sharp sets up and waits for each
 * decode, and V8's platform threads, concurrent garbage collection); and context switches per image.
 */
export function cpuByThreadKind(early, before, after, images) {
  const kinds = { main: 0, workers: 0, libvips: 0, node: 0 };
  let switches = 0;
  for (const [tid, t] of after) {
    const b = before.get(tid) ?? { ms: 0, switches: 0 };
    const kind = tid === String(process.pid) ? 'main' : t.name === 'libvips worker' ? 'libvips' : early.has(tid) ? 'node' : 'workers';
    kinds[kind] += (t.ms - b.ms) / images;
    switches += (t.switches - b.switches) / images;
  }
  return { ...kinds, switches };
}
