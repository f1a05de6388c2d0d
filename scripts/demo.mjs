// `npm run demo`: builds the demo page (scripts/build-demo.mjs) and serves the
// checkout on 127.0.0.1 with the two headers that make the page cross-origin
// isolated (threads over SharedArrayBuffer). `--no-isolation` leaves them out
// to show the one-thread fallback; `--port N` picks the port.
import { serve } from './serve.mjs';

const args = process.argv.slice(2);
await import('./build-demo.mjs');
const portAt = args.indexOf('--port');
const isolated = !args.includes('--no-isolation');
const { url } = await serve({ isolated, port: portAt >= 0 ? Number(args[portAt + 1]) : 0 });
console.log(`\nsimdnn demo: ${url}/demo/`);
console.log(isolated
  ? '(sent: Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp -> threads)'
  : '(not cross-origin isolated: one thread, the page says why)');
console.log('Ctrl+C to stop.');
