// Runs the benchmark suites: every bench/*.mjs except this file, one after the
// other, each in its own Node process (no shared state, no shared heap), or
// only the suites named on the command line:  node bench/run.mjs gemm
// (flags such as --quick go to each suite: node bench/run.mjs data --quick)
// Helpers the suites import live in bench/lib/ and are not suites.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== self).map((f) => f.slice(0, -4)).sort();
// Arguments starting with -- (e.g. --quick) are passed on to every suite run.
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const name of asked) {
  if (!available.includes(name)) {
    console.error(`bench: no suite '${name}' (available: ${available.join(', ')})`);
    process.exit(2);
  }
}
const suites = asked.length > 0 ? asked : available;
let failed = 0;
for (const name of suites) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`), ...flags], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: suite '${name}' failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
