import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './cli-helpers.js';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'simdnn.js');

/** Runs `node bin/simdnn.js args` to the end. */
function simdnn(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bin/simdnn.js (the built CLI, as a user runs it)', () => {
  beforeAll(() => {
    // dist/cli.js from the current sources (the wasm was built by pretest / build:wasm).
    const b = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: root, encoding: 'utf8', env: { ...process.env, SIMDNN_MINIFY: '0' } });
    expect(b.status, b.stderr).toBe(0);
  });

  it('trains a few batches, then eval reads the checkpoint', () => {
    const out = tempDir();
    const r = simdnn(['train', '--train-size', '192', '--test-size', '64', '--epochs', '1', '--threads', '2', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/epoch 1\/1: train loss/);
    expect(r.out).toMatch(/2 thread\(s\)/);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    const e = simdnn(['eval', '--checkpoint', out, '--test-size', '64', '--threads', '1']);
    expect(e.code).toBe(0);
    const acc = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).final.testAccuracy;
    expect(e.out).toContain(`accuracy ${(100 * acc).toFixed(2)}%`); // 2 threads and 1 thread give the same model outputs
  });

  it('an image folder is decoded by sharp in data workers importing the bundle; 1 and 2 workers train the same model', () => {
    const data = tempDir();
    const photos = join(root, 'tests', 'fixtures', 'data', 'photos');
    for (const [cls, files] of [['a', ['photo420.jpg', 'rgb.png', 'palette.png', 'rgba.png', 'gray.png']], ['b', ['photo444.jpg', 'gray.jpg', 'photo420.jpg', 'rgb.png', 'gray.png']]] as const) {
      mkdirSync(join(data, cls));
      files.forEach((f, i) => copyFileSync(join(photos, f), join(data, cls, `${i}-${f}`)));
    }
    const runs = [1, 2].map((w) => {
      const out = tempDir();
      const r = simdnn(['train', '--data', data, '--model', 'lenet5', '--epochs', '2', '--batch-size', '3', '--augment', '--data-workers', String(w), '--threads', '1', '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`data prepared in ${w} data worker${w === 1 ? '' : 's'}`);
      return JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).epochs.map((e: Record<string, number>) => [e.trainLoss, e.testLoss]);
    });
    expect(runs[1]).toEqual(runs[0]);
  });

  it('errors are one line with exit code ≠ 0', () => {
    const r = simdnn(['predict', '--checkpoint', tempDir(), 'x.png']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^simdnn: cannot read checkpoint /);
  });

  it('Ctrl-C (SIGINT) saves a checkpoint that --resume continues', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, [bin, 'train', '--epochs', '50', '--train-size', '2000', '--test-size', '100', '--threads', '1', '--out', out], { cwd: root });
    let text = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (/batch \d+\/32/.test(text) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(text).toMatch(/interrupted at epoch 1, batch \d+\/32: saved .*checkpoint\.safetensors; continue with: simdnn train --resume /);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    // The saved run resumes where it stopped (run one epoch: --epochs 1 ends it after this epoch).
    const r = simdnn(['train', '--resume', out, '--epochs', '1', '--threads', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/resuming .* at epoch 1, batch \d+/);
  });
});
