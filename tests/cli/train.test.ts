import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { loadEmbeddedDigits } from '../../src/data/node/index.js';
import { bitsEqual } from '../helpers.js';
import { cli, tempDir } from './cli-helpers.js';

/** A small run: 320 training digits (5 batches of 64), 100 test digits, 2 epochs. */
const TINY = ['--train-size', '320', '--test-size', '100', '--epochs', '2', '--threads', '1'];

/** Every tensor of a checkpoint (weights and optimizer state) as float arrays. */
function tensorsOf(dir: string): Record<string, Float32Array> {
  const sd = sn.io.loadSafetensors(readFileSync(join(dir, 'checkpoint.safetensors')));
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => {
    const a = t.toFloat32Array();
    t.dispose();
    return [k, a];
  }));
}

describe('simdnn train', () => {
  it('trains, validates each epoch, and writes checkpoint and metrics', async () => {
    const out = tempDir();
    const r = await cli(['train', ...TINY, '--epochs', '3', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/epoch 1\/3 batch 5\/5 loss [\d.]+ acc [\d.]+% \d+ img\/s/);
    expect(r.out).toMatch(/epoch 3\/3: train loss [\d.]+ acc [\d.]+% \| test loss [\d.]+ acc [\d.]+%/);
    expect(r.out).toMatch(/test accuracy [\d.]+% \(top-5 [\d.]+%\), test loss [\d.]+ on 100 held-out images/);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs).toHaveLength(3);
    expect(metrics.config).toMatchObject({ model: 'lenet5', data: 'mnist', epochs: 3, optimizer: 'sgd', schedule: 'cosine' });
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,lr,trainLoss,trainAccuracy,testLoss,testAccuracy,testTop5,seconds,imagesPerSec,memoryBytes');
    expect(csv).toHaveLength(4);
    expect(Number(csv[2].split(',')[1])).toBeCloseTo(0.03 * (1 + Math.cos(Math.PI / 3)) / 2, 12); // sgd default lr 0.03, cosine over 3 epochs
    // Each step runs in sn.tidy: once the first epoch (and its first checkpoint) has run, the wasm memory stays the same.
    expect(metrics.epochs[2].memoryBytes).toBe(metrics.epochs[1].memoryBytes);
    const names = Object.keys(tensorsOf(out));
    expect(names).toContain('conv1.weight');
    expect(names).toContain('fc3.bias');
    expect(names.filter((n) => n.startsWith('_optimizer.'))).toHaveLength(10); // a momentum buffer per parameter
    expect(existsSync(join(out, `checkpoint.safetensors.tmp-${process.pid}`))).toBe(false);

    // eval on the same held-out digits gives the last epoch's test accuracy.
    const e = await cli(['eval', '--checkpoint', out, '--test-size', '100', '--threads', '1']);
    expect(e.code).toBe(0);
    expect(e.out).toContain(`accuracy ${(100 * metrics.final.testAccuracy).toFixed(2)}%`);

    // predict: a test digit written as a PNG gets five classes with probabilities.
    const { test } = loadEmbeddedDigits();
    const digit = test.get(0);
    const png = new PNG({ width: 28, height: 28 });
    for (let i = 0; i < 784; i++) {
      const v = Math.round(digit.image.data[i] * 255);
      png.data.set([v, v, v, 255], 4 * i);
    }
    const file = join(out, 'digit.png');
    writeFileSync(file, PNG.sync.write(png));
    const p = await cli(['predict', file, '--checkpoint', out, '--threads', '1']);
    expect(p.code).toBe(0);
    const m = p.out.match(/digit\.png: (.*)\n/);
    expect(m).not.toBeNull();
    const ranked = m![1].split(', ').map((s) => s.split(' '));
    expect(ranked).toHaveLength(5);
    const probs = ranked.map(([, q]) => Number(q.replace('%', '')));
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    expect(probs.reduce((s, q) => s + q, 0)).toBeLessThanOrEqual(100.01);
  });

  it('--resume after an interrupt mid-epoch reproduces the uninterrupted run bit for bit', async () => {
    const flags = [...TINY, '--augment', '--schedule', 'cosine'];
    const whole = tempDir();
    expect((await cli(['train', ...flags, '--out', whole])).code).toBe(0);

    // Interrupted after batch 3 of epoch 1 (as Ctrl-C does: the loop saves and returns 130) …
    const part = tempDir();
    const first = await cli(['train', ...flags, '--out', part], (s, signal) => {
      if (s.includes('epoch 1/2 batch 3/5')) signal.stop = true;
    });
    expect(first.code).toBe(130);
    expect(first.out).toContain(`interrupted at epoch 1, batch 3/5: saved ${join(part, 'checkpoint.safetensors')}`);
    // … resumed, interrupted again after epoch 1's validation, and resumed to the end.
    const second = await cli(['train', '--resume', part, '--threads', '1'], (s, signal) => {
      if (s.includes('epoch 1/2: train loss')) signal.stop = true;
    });
    expect(second.code).toBe(130);
    expect(second.out).toContain('resuming');
    const third = await cli(['train', '--resume', part, '--threads', '1']);
    expect(third.code).toBe(0);

    const a = tensorsOf(whole), b = tensorsOf(part);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(bitsEqual(a[k], b[k]), k).toBe(true);
    // The metrics agree too (all but the timings).
    const strip = (d: string) => JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')).epochs.map(({ seconds: _s, imagesPerSec: _i, memoryBytes: _m, ...rest }: Record<string, number>) => rest);
    expect(strip(part)).toEqual(strip(whole));
  });

  it.each([
    ['adam', 'plateau'],
    ['adamw', 'cosine'],
  ])('resume is exact with %s and the %s schedule (optimizer step counts and moments, scheduler state)', async (optimizer, schedule) => {
    const flags = ['--train-size', '192', '--test-size', '50', '--epochs', '3', '--threads', '1', '--optimizer', optimizer, '--schedule', schedule];
    const whole = tempDir(), part = tempDir();
    expect((await cli(['train', ...flags, '--out', whole])).code).toBe(0);
    const first = await cli(['train', ...flags, '--out', part], (s, signal) => {
      if (s.includes('epoch 2/3 batch 2/3')) signal.stop = true;
    });
    expect(first.code).toBe(130);
    expect((await cli(['train', '--resume', part, '--threads', '1'])).code).toBe(0);
    const a = tensorsOf(whole), b = tensorsOf(part);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(Object.keys(a).filter((k) => k.startsWith('_optimizer.')).length).toBe(20); // exp_avg and exp_avg_sq per parameter
    for (const k of Object.keys(a)) expect(bitsEqual(a[k], b[k]), k).toBe(true);
  });

  it('--epochs extends a finished run; a finished run without it does nothing', async () => {
    const out = tempDir();
    expect((await cli(['train', '--train-size', '128', '--test-size', '50', '--epochs', '1', '--schedule', 'none', '--threads', '1', '--out', out])).code).toBe(0);
    const again = await cli(['train', '--resume', out, '--threads', '1']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already finished 1 epochs');
    const more = await cli(['train', '--resume', out, '--epochs', '2', '--threads', '1']);
    expect(more.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).epochs).toHaveLength(2);
  });

  it('eval reads a plain weights file when --model names the architecture', async () => {
    const dir = tempDir();
    const file = join(dir, 'weights.safetensors');
    await sn.init({ threads: 1 });
    const model = sn.models.lenet5({ numClasses: 10, seed: 5 });
    writeFileSync(file, sn.io.saveSafetensors(model));
    model.dispose();
    const without = await cli(['eval', '--checkpoint', file, '--threads', '1']);
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/holds weights only .*--model/);
    const r = await cli(['eval', '--checkpoint', file, '--model', 'lenet5', '--test-size', '50', '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lenet5 from .*weights\.safetensors on mnist \(embedded digits, 50 held-out images\): accuracy [\d.]+%/);
    const wrong = await cli(['eval', '--checkpoint', file, '--model', 'resnet18', '--threads', '1']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/weights do not fit resnet18: loadStateDict: missing keys/);
  });
});
