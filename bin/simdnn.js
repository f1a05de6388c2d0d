#!/usr/bin/env node
// The `simdnn` command: a shim over the bundled CLI (npm install / npm run build writes dist/cli.js).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('cli.js')) throw e;
  process.stderr.write('simdnn: dist/cli.js is missing: run `npm run build` in the simdnn folder first\n');
  process.exit(1);
}
await cli.run();
