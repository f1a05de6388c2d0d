import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { StopSignal } from '../../src/cli/train.js';

/** A fresh temporary folder for one test's run. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'simdnn-cli-'));
}

class Capture extends Writable {
  text = '';
  constructor(private readonly onText?: (s: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    const s = chunk.toString();
    this.text += s;
    this.onText?.(s);
    done();
  }
}

/**
 * Runs the CLI's main in this process with captured stdout/stderr (not a
 * terminal: plain progress lines). `onOut` sees each stdout write and may set
 * `signal.stop`, as the SIGINT handler does.
 */
export async function cli(argv: string[], onOut?: (s: string, signal: StopSignal) => void): Promise<{ code: number; out: string; err: string }> {
  const signal: StopSignal = { stop: false };
  const out = new Capture((s) => onOut?.(s, signal));
  const err = new Capture();
  const code = await main(argv, { out, err }, signal);
  return { code, out: out.text, err: err.text };
}
