// Browser image decoding off the calling thread: a few dedicated Web Workers
// that run `decodeRgba` (createImageBitmap + OffscreenCanvas) and send the RGBA
// bytes back (transferred, not copied). A training loop on the page or in a
// worker keeps computing while the next batch decodes. Where a Worker or an
// OffscreenCanvas is missing, decoding runs on the calling thread instead.
import { check } from '../errors.js';
import { DECODE_STEPS, decodeRgba, type DecodeRequest, type DecodeResult } from './blob-decode.js';

// The worker: the decoding steps' own source (blob-decode.ts keeps them
// self-contained; they keep the names they have in this bundle, so the calls
// between them resolve) and a message loop. This needs them as written (native
// async functions, dist/ targets ES2022): a bundler that down-levels async to
// generator helpers would leave the worker a helper it does not have, and each
// decode would then fail with "the decoding worker failed: …".
const workerSource = () => `${DECODE_STEPS.map(String).join('\n')}
self.onmessage = async (e) => {
  const { id, req } = e.data;
  const res = await ${decodeRgba.name}(req);
  if ('error' in res) self.postMessage({ id, res });
  else self.postMessage({ id, res }, [res.rgba.buffer]);
};`;

interface Pending {
  resolve: (r: DecodeResult) => void;
}

export class BlobDecoderPool {
  /** Workers decoding (0: decoding runs on the calling thread). */
  readonly workers: number;
  private readonly lanes: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private broken: string | null = null;

  /** `workers`: how many decoding workers (default 1); 0, or a runtime without Worker/OffscreenCanvas, decodes on this thread. */
  constructor(workers = 1) {
    const can = typeof Worker === 'function' && typeof OffscreenCanvas === 'function' && typeof URL.createObjectURL === 'function';
    this.workers = can ? workers : 0;
  }

  /** Starts the workers on first use (a dataset that is never decoded starts none). */
  private lane(id: number): Worker {
    if (this.lanes.length === 0) {
      const url = URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
      for (let i = 0; i < this.workers; i++) {
        const w = new Worker(url, { name: `simdnn-decode-${i}` });
        w.onmessage = (e: MessageEvent<{ id: number; res: DecodeResult }>) => {
          this.pending.get(e.data.id)?.resolve(e.data.res);
          this.pending.delete(e.data.id);
        };
        // A worker that fails outside a request (its script cannot run) fails the requests waiting on it and every later one.
        w.onerror = (e) => {
          e.preventDefault();
          this.broken = `the decoding worker failed: ${e.message ?? 'error'}`;
          for (const p of this.pending.values()) p.resolve({ error: this.broken });
          this.pending.clear();
        };
        this.lanes.push(w);
      }
      URL.revokeObjectURL(url);
    }
    return this.lanes[id % this.workers];
  }

  /** Decodes one image (in a worker where there are workers). */
  decode(req: DecodeRequest): Promise<DecodeResult> {
    check(!this.closed, 'ImageBlobDataset', 'the dataset was closed');
    if (this.workers === 0) return decodeRgba(req);
    if (this.broken !== null) return Promise.resolve({ error: this.broken });
    const id = this.nextId++;
    return new Promise<DecodeResult>((resolve) => {
      this.pending.set(id, { resolve });
      this.lane(id).postMessage({ id, req });
    });
  }

  /** Stops the workers; decodes still waiting end with an error. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.lanes) w.terminate();
    for (const p of this.pending.values()) p.resolve({ error: 'the dataset was closed before this image was decoded' });
    this.pending.clear();
  }
}
