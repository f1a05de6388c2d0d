import * as sn from '/dist/index.js';
import { lenetImagesPerSec } from '/bench/lib/lenet-train.mjs';

self.onmessage = (e) => lenetImagesPerSec(sn, e.data).then(
  (r) => self.postMessage(r),
  (err) => self.postMessage({ error: String(err?.stack ?? err) }),
);
