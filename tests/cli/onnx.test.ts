// The CLI's ONNX commands: export a checkpoint, summarise and predict with .onnx files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { loadOnnx } from '../../src/onnx/index.js';
import { cli, tempDir } from './cli-helpers.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

function png(path: string, w: number, h: number): void {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([(i * 7) % 256, (i * 3) % 256, 128, 255], 4 * i);
  writeFileSync(path, PNG.sync.write(p));
}

describe('simdnn export / summary / predict with ONNX', () => {
  it('exports a weights file as ONNX whose graph carries the same weights under the stateDict keys', async () => {
    const dir = tempDir();
    const model = sn.models.lenet5({ seed: 4 });
    writeFileSync(join(dir, 'w.safetensors'), sn.io.saveSafetensors(model));
    const r = await cli(['export', '--checkpoint', join(dir, 'w.safetensors'), '--model', 'lenet5', '--out', join(dir, 'lenet.onnx')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/lenet5 .* -> .*lenet\.onnx \(ONNX opset 13, input \[1,1,32,32\]/);
    const m = loadOnnx(new Uint8Array(readFileSync(join(dir, 'lenet.onnx'))));
    const sd = model.stateDict();
    for (const [k, t] of m.namedParameters()) expect(Array.from(t.toFloat32Array())).toEqual(Array.from(sd[k].toFloat32Array()));
    model.eval();
    m.eval();
    const x = sn.randn([1, 1, 32, 32], { seed: 2 });
    expect(Array.from((m.forward(x) as sn.Tensor).toFloat32Array())).toEqual(Array.from((sn.noGrad(() => model.forward(x)) as sn.Tensor).toFloat32Array()));

    const s = await cli(['summary', join(dir, 'lenet.onnx')]);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/opset 13, input input \[1,1,32,32\]/);
    expect(s.out).toMatch(/Conv +\[1,6,28,28\]/);
    expect(s.out).toMatch(/parameters: 61,706 \(trainable\)/);

    png(join(dir, 'img.png'), 40, 30);
    const p = await cli(['predict', join(dir, 'img.png'), '--onnx', join(dir, 'lenet.onnx'), '--top', '3', '--threads', '1']);
    expect(p.err).toBe('');
    expect(p.out).toMatch(/img\.png: class \d+ [\d.]+%, class \d+ [\d.]+%, class \d+ [\d.]+%\n/);
  });

  it('train --onnx: a new head for the data\'s classes, --freeze by name prefix; eval reads the run back', async () => {
    const dir = tempDir();
    const model = sn.models.lenet5({ seed: 4 });
    const file = join(dir, 'lenet.onnx');
    writeFileSync(file, (await import('../../src/onnx/index.js')).saveOnnx(model, { inputShape: [1, 1, 32, 32] }));
    const data = join(dir, 'data');
    for (const [c, cls] of ['a', 'b', 'c'].entries()) {
      mkdirSync(join(data, cls), { recursive: true });
      for (let i = 0; i < 5; i++) png(join(data, cls, `${i}.png`), 32 + c, 32);
    }
    const out = join(dir, 'run');
    const r = await cli(['train', '--onnx', file, '--data', data, '--epochs', '1', '--batch-size', '4', '--freeze', 'body.conv1.,body.conv2.', '--threads', '1', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ck = sn.io.loadSafetensors(new Uint8Array(readFileSync(join(out, 'checkpoint.safetensors'))));
    expect(ck['model.head.weight']?.shape ?? ck['head.weight']?.shape).toEqual([3, 84]);
    const frozen = ck['model.body.conv1.weight'] ?? ck['body.conv1.weight'];
    expect(Array.from(frozen.toFloat32Array())).toEqual(Array.from(model.stateDict()['conv1.weight'].toFloat32Array()));
    const trained = ck['model.body.fc1.weight'] ?? ck['body.fc1.weight'];
    expect(Array.from(trained.toFloat32Array())).not.toEqual(Array.from(model.stateDict()['fc1.weight'].toFloat32Array()));
    const e = await cli(['eval', '--checkpoint', out, '--threads', '1']);
    expect(e.err).toBe('');
    expect(e.out).toMatch(/lenet\.onnx from .* accuracy/);
    const bad = await cli(['train', '--onnx', file, '--data', data, '--freeze', 'nope.', '--threads', '1', '--out', join(dir, 'run2')]);
    expect(bad.err).toMatch(/--freeze nope\. matches no parameter/);
  });

  it('train --onnx --replace-head N: a new N-class head even when the file has N outputs; without it the file\'s classifier is trained', async () => {
    const dir = tempDir();
    const model = sn.models.lenet5({ seed: 4, numClasses: 3 });
    const file = join(dir, 'lenet3.onnx');
    writeFileSync(file, (await import('../../src/onnx/index.js')).saveOnnx(model, { inputShape: [1, 1, 32, 32] }));
    const data = join(dir, 'data');
    for (const [c, cls] of ['a', 'b', 'c'].entries()) {
      mkdirSync(join(data, cls), { recursive: true });
      for (let i = 0; i < 5; i++) png(join(data, cls, `${i}.png`), 32 + c, 32);
    }
    const train = (out: string, extra: string[]) => cli(['train', '--onnx', file, '--data', data, '--epochs', '1', '--batch-size', '4', '--threads', '1', '--out', join(dir, out), ...extra]);
    const weights = (out: string) => sn.io.loadSafetensors(new Uint8Array(readFileSync(join(dir, out, 'checkpoint.safetensors'))));

    // Same class count, no --replace-head: the file's own classifier (fc3) is fine-tuned, no new head.
    const keep = await train('keep', []);
    expect(keep.err).toBe('');
    expect(Object.keys(weights('keep')).some((k) => k.includes('head.'))).toBe(false);
    expect(Object.keys(weights('keep')).some((k) => k.endsWith('fc3.weight'))).toBe(true);

    // --replace-head 3: the graph is cut at fc3's input and a fresh 3-class Linear is trained there.
    const r = await train('new', ['--replace-head', '3', '--freeze', 'body.']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ck = weights('new');
    const head = ck['model.head.weight'] ?? ck['head.weight'];
    expect(head.shape).toEqual([3, 84]);
    expect(Object.keys(ck).some((k) => k.endsWith('fc3.weight'))).toBe(false);
    const frozen = ck['model.body.fc2.weight'] ?? ck['body.fc2.weight'];
    expect(Array.from(frozen.toFloat32Array())).toEqual(Array.from(model.stateDict()['fc2.weight'].toFloat32Array()));
    // eval and export rebuild the same model from the run (its config records the replacement).
    const e = await cli(['eval', '--checkpoint', join(dir, 'new'), '--threads', '1']);
    expect(e.err).toBe('');
    expect(e.out).toMatch(/lenet3\.onnx from .* accuracy/);
    const x = await cli(['export', '--checkpoint', join(dir, 'new'), '--out', join(dir, 'new.onnx')]);
    expect(x.err).toBe('');
    expect(loadOnnx(new Uint8Array(readFileSync(join(dir, 'new.onnx')))).stateDict()['head.weight'].shape).toEqual([3, 84]);

    // --seed seeds the new head (and the data order): the same run again gives the same head.
    await train('again', ['--replace-head', '3', '--freeze', 'body.']);
    const headOf = (out: string) => Array.from((weights(out)['model.head.weight'] ?? weights(out)['head.weight']).toFloat32Array());
    expect(headOf('again')).toEqual(headOf('new'));

    const wrong = await train('wrong', ['--replace-head', '4']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toMatch(/--replace-head 4 asks for 4 classes, but .* has 3/);
    const zoo = await cli(['train', '--model', 'lenet5', '--replace-head', '3', '--data', data, '--threads', '1', '--out', join(dir, 'zoo')]);
    expect(zoo.err).toMatch(/--replace-head is for ONNX models/);
  });

  it('a malformed .onnx file is a usage error naming the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.onnx'), new Uint8Array([0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 1]));
    const r = await cli(['summary', join(dir, 'bad.onnx')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/bad\.onnx: loadOnnx: not a valid ONNX model file/);
  });
});
