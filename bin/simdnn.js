#!/usr/bin/env node
// The `simdnn` command: a shim over the bundled CLI (npm run build writes dist/cli.js).
import { run } from '../dist/cli.js';

await run();
