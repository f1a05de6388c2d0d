// The CLI's ONNX commands: export a checkpoint, summarise and predict with .onnx files.
import { readFileSync, writeFileSync } from 'node:fs';
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

  it('a malformed .onnx file is a usage error naming the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.onnx'), new Uint8Array([0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 1]));
    const r = await cli(['summary', join(dir, 'bad.onnx')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/bad\.onnx: loadOnnx: not a valid ONNX model file/);
  });
});
