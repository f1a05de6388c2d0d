// Messages between the page (main.ts) and the worker that runs simdnn (worker.ts).
import type { SummaryRow } from '../../src/index.js';

export interface BackendState {
  threads: number;
  simd: 'baseline' | 'relaxed';
  sharedMemory: boolean;
  crossOriginIsolated: boolean;
  cores: number;
}

export type ToWorker =
  | { type: 'init'; threads: number | 'auto'; simd: 'auto' | 'baseline' | 'relaxed'; digitsUrl: string | null; epochs?: number }
  | { type: 'train' }
  | { type: 'stop' }
  | { type: 'predict'; input: Float32Array }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer; name: string }
  | { type: 'summary'; model: string };

export interface Progress {
  type: 'progress';
  step: number;
  epoch: number;
  /** Mean training loss and accuracy over the steps since the last report. */
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  /** Accuracy on the 2,000 held-out digits, when this report ran an evaluation. */
  testAccuracy: number | null;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendState; trainSize: number; testSize: number }
  | Progress
  /** finished: the run's epochs are done (not stopped by the user). */
  | { type: 'stopped'; step: number; finished: boolean; epochs: number }
  | { type: 'prediction'; probs: number[] }
  | { type: 'saved'; bytes: Uint8Array }
  | { type: 'loaded'; name: string; tensors: number }
  | { type: 'loadFailed'; name: string; message: string }
  /** After each evaluation: the held-out confusion matrix (rows: true digit) and the first convolution's filters. */
  | { type: 'learned'; confusion: number[][]; filters: { data: number[]; shape: number[] } }
  | { type: 'summary'; model: string; inputShape: number[]; rows: SummaryRow[]; totals: { params: number; trainable: number; activations: number; macs: number }; text: string; ms: number }
  | { type: 'error'; message: string };
