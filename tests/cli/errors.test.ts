import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { cli, tempDir } from './cli-helpers.js';

/** One line on stderr, no stack trace, exit code ≠ 0. */
function expectOneLineError(r: { code: number; err: string }, ...parts: (string | RegExp)[]): void {
  expect(r.code).not.toBe(0);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at /);
  for (const p of parts) expect(lines[0]).toMatch(p);
}

describe('simdnn errors a user can act on', () => {
  it('an unknown model lists the valid ones', async () => {
    const r = await cli(['train', '--model', 'lenet6', '--threads', '1']);
    expectOneLineError(r, "unknown model 'lenet6'", /valid: lenet5, alexnet.*resnet18/);
  });

  it('an unknown option lists the valid ones', async () => {
    const r = await cli(['train', '--learning-rate', '0.1', '--threads', '1']);
    expectOneLineError(r, "unknown option '--learning-rate'", /--lr/, /--batch-size/);
  });

  it('an unknown command and a bad choice name the valid ones', async () => {
    expectOneLineError(await cli(['fit']), "unknown command 'fit'", /train, eval, predict, report, summary, bench/);
    expectOneLineError(await cli(['train', '--optimizer', 'rmsprop', '--threads', '1']), /--optimizer must be one of sgd, adam, adamw/);
  });

  it('unreadable data names the path', async () => {
    const missing = join(tempDir(), 'nowhere');
    expectOneLineError(await cli(['train', '--data', missing, '--threads', '1']), `cannot read data '${missing}'`, /no such file/);
  });

  it('a corrupt checkpoint is one line, for eval and for resume', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'checkpoint.safetensors'), 'this is not a safetensors file');
    expectOneLineError(await cli(['eval', '--checkpoint', dir, '--threads', '1']), /^simdnn: corrupt checkpoint .*checkpoint\.safetensors: /);
    expectOneLineError(await cli(['train', '--resume', dir, '--threads', '1']), /corrupt checkpoint/);
    // A truncated real header: valid length prefix, broken JSON.
    const bytes = new Uint8Array(8 + 10);
    new DataView(bytes.buffer).setBigUint64(0, 10n, true);
    bytes.set(new TextEncoder().encode('{"a": {"dt'), 8);
    writeFileSync(join(dir, 'checkpoint.safetensors'), bytes);
    expectOneLineError(await cli(['eval', '--checkpoint', dir, '--threads', '1']), /corrupt checkpoint .*not valid UTF-8 JSON/);
  });

  it('a checkpoint whose run state is damaged is a corrupt checkpoint, not a crash', async () => {
    await sn.init({ threads: 1 });
    const dir = tempDir();
    const model = sn.models.lenet5({ seed: 1 });
    const state = { model: 'lenet5', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], preprocess: { channels: 1, size: [28, 28], pad: 2, mean: [0.1307], std: [0.3081] },
      config: { model: 'lenet5', epochs: 2 }, progress: { epoch: 1, batch: 0, step: 10, running: { loss: 0, correct: 0, seen: 0, seconds: 0 }, done: false }, history: [], optimizer: null, scheduler: null };
    writeFileSync(join(dir, 'checkpoint.safetensors'), sn.io.saveSafetensors(model, { metadata: { format: 'simdnn-checkpoint/1', state: JSON.stringify(state) } }));
    model.dispose();
    expectOneLineError(await cli(['train', '--resume', dir, '--threads', '1']), /corrupt checkpoint .*training config is damaged \(missing or mistyped: data, batchSize/);
    writeFileSync(join(dir, 'checkpoint.safetensors'), sn.io.saveSafetensors({}, { metadata: { format: 'simdnn-checkpoint/1', state: '{"model": "lenet5", "cla' } }));
    expectOneLineError(await cli(['eval', '--checkpoint', dir, '--threads', '1']), /corrupt checkpoint .*not valid JSON/);
  });

  it('a missing checkpoint says to train first', async () => {
    expectOneLineError(await cli(['eval', '--checkpoint', tempDir(), '--threads', '1']), /cannot read checkpoint .*no such file/);
  });

  it('a shape that does not fit the model is one line; --verbose adds the stack', async () => {
    const r = await cli(['summary', 'lenet5', '--input', '3,32,32']);
    expectOneLineError(r, 'lenet5 does not take 3x32x32 input (it expects 1x32x32)', /expects 1 input channels/);
    const v = await cli(['summary', 'lenet5', '--input', '3,32,32', '--verbose']);
    expect(v.code).not.toBe(0);
    expect(v.err).toMatch(/\n\s+at /);
  });

  it('colour data for a grey model names both shapes', async () => {
    // A CIFAR-10 folder with 2 images per file: 3x32x32 images cannot feed lenet5's 1x32x32 input.
    const dir = tempDir();
    const record = new Uint8Array(3073);
    for (const f of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      writeFileSync(join(dir, `${f}.bin`), Buffer.concat([record, record]));
    }
    expectOneLineError(await cli(['train', '--data', dir, '--threads', '1']), /lenet5 takes 1x32x32 input but the CIFAR-10 binary files are 3x32x32 images/);
  });

  it('resume refuses options that would change the trajectory', async () => {
    const r = await cli(['train', '--resume', tempDir(), '--lr', '0.1', '--threads', '1']);
    expectOneLineError(r, /--lr cannot change on resume/);
  });
});
