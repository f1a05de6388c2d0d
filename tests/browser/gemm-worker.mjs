import { runGemmChecks } from './gemm-check.mjs';

runGemmChecks([1, 2]).then(
  (r) => self.postMessage(r),
  (e) => self.postMessage({ error: String(e?.stack ?? e) }),
);
