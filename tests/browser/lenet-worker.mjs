import { loadFixedDigits, readClassHttp, runLenetChecks } from './lenet-check.mjs';

self.onmessage = async (e) => {
  try {
    self.postMessage({ crossOriginIsolated: self.crossOriginIsolated, runs: await runLenetChecks(await loadFixedDigits(readClassHttp), e.data) });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err) });
  }
};
