import cliProgress from 'cli-progress';

/** Where the CLI writes: stdout for results, stderr for errors. Injected so tests can capture it. */
export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

export interface StepStats {
  batch: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
}

/**
 * One epoch's progress: a live bar (epoch, batch, loss, accuracy, images/s,
 * ETA) when stdout is a terminal; otherwise a plain line about every tenth of
 * the epoch, so logs and pipes stay readable.
 */
export class EpochProgress {
  private bar: cliProgress.SingleBar | null = null;
  private nextLine = 0;
  private readonly every: number;
  private readonly t0 = performance.now();

  constructor(private readonly io: Io, private readonly label: string, private readonly total: number, private readonly start: number) {
    this.every = Math.max(1, Math.ceil(total / 10));
    if (io.out.isTTY) {
      this.bar = new cliProgress.SingleBar({
        stream: io.out,
        format: `${label} {bar} {value}/{total} | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 8,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(total, start, { loss: '-', acc: '-', ips: '-' });
    }
    this.nextLine = start + this.every;
  }

  update(s: StepStats): void {
    const payload = { loss: s.loss.toFixed(4), acc: `${(100 * s.accuracy).toFixed(2)}%`, ips: Math.round(s.imagesPerSec).toString() };
    if (this.bar) {
      this.bar.update(s.batch, payload);
    } else if (s.batch >= this.nextLine || s.batch === this.total) {
      this.nextLine = s.batch + this.every;
      const elapsed = (performance.now() - this.t0) / 1000;
      const eta = s.batch > this.start ? (elapsed / (s.batch - this.start)) * (this.total - s.batch) : 0;
      this.io.out.write(`${this.label} batch ${s.batch}/${this.total} loss ${payload.loss} acc ${payload.acc} ${payload.ips} img/s ETA ${eta.toFixed(0)}s\n`);
    }
  }

  /** Removes the bar (the caller prints the epoch's summary line). */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
